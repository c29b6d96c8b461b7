"""The ledger's Merkle log: an RFC 6962 (RFC 9162 section 2.1) Merkle tree over its events.

A leaf is one event's message value exactly as it lies on Kafka, in the ledger's global order
(the hash chain's order), so leaf n is the n-th event the relay published. Hashes are SHA-256
with RFC 6962's domain separation: a leaf is SHA-256(0x00 || value), a node
SHA-256(0x01 || left || right), the empty tree SHA-256("").

The relay keeps only the frontier (the roots of the perfect subtrees the tree's size
decomposes into, largest first: a compact range over [0, size)), so appending costs one leaf
hash and on average one node hash, and the state is at most 64 hashes. Auditors, who hold
every leaf, build the whole tree (`MerkleTree`) to make inclusion and consistency proofs;
anyone verifies them with `verify_inclusion` and `verify_consistency` (RFC 9162 2.1.3.2 and
2.1.4.2), knowing only the proof, the leaf and the roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that cannot be made (an index or size out of range); says which."""


def leaf_hash(value: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + value).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass(frozen=True)
class Frontier:
    """The compact range [0, size): enough to append leaves and compute the root."""

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if len(self.hashes) != self.size.bit_count():
            raise ValueError(
                f"a frontier of size {self.size} holds {self.size.bit_count()} hashes, "
                f"not {len(self.hashes)}"
            )

    def extended(self, leaf_hashes: Sequence[bytes]) -> Frontier:
        """The frontier after appending these leaf hashes, in order."""
        hashes = list(self.hashes)
        size = self.size
        for leaf in leaf_hashes:
            # Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
            hashed, carry = leaf, size
            while carry & 1:
                hashed = node_hash(hashes.pop(), hashed)
                carry >>= 1
            hashes.append(hashed)
            size += 1
        return Frontier(size, tuple(hashes))

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        root = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            root = node_hash(left, root)
        return root


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): RFC 6962's k."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """Every level of the tree over a list of leaf hashes; proofs for any size up to it."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        self._check_size(size)
        return self._hash(0, size) if size else EMPTY_ROOT

    def _hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]); RFC 6962's splits keep every left part a stored perfect subtree."""
        width = end - start
        if width & (width - 1) == 0:
            level = width.bit_length() - 1
            return self.levels[level][start >> level]
        k = _split(width)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 6962 PATH(index, D[0:size]): the audit path of leaf `index` in the tree of `size`."""
        self._check_size(size)
        if not 0 <= index < size:
            raise ProofError(f"leaf {index} is not in a tree of size {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index - start < k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 6962 PROOF(old_size, D[0:new_size]), for 0 < old_size <= new_size."""
        self._check_size(new_size)
        if not 0 < old_size <= new_size:
            raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
        path: list[bytes] = []
        start, end, m, whole = 0, new_size, old_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start, m, whole = start + k, m - k, False
        if not whole:
            path.append(self._hash(start, end))
        path.reverse()
        return path

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ProofError(f"the tree holds {self.size} leaves, not {size}")


def verify_inclusion(
    index: int, size: int, hashed_leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does `path` prove leaf `index` of the tree of `size` with `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, hashed_leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does `path` prove the tree of `old_size` a prefix of `new_size`'s?"""
    if old_size == new_size:
        return not path and old_root == new_root
    if not 0 < old_size < new_size or not path:
        return False
    hashes = list(path)
    if old_size & (old_size - 1) == 0:
        hashes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
