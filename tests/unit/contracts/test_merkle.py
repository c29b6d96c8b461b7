"""The Merkle log against RFC 6962's definitions and the Certificate Transparency test vectors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.wire.merkle import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.builders.merkle_reference import mth

# The leaves and roots of the Certificate Transparency reference implementation's tests.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def tree_of(values: list[bytes]) -> MerkleTree:
    return MerkleTree([leaf_hash(v) for v in values])


def test_the_empty_tree_hashes_to_sha256_of_nothing():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert Frontier().root() == EMPTY_ROOT == tree_of([]).root()


@pytest.mark.parametrize("size", sorted(CT_ROOTS))
def test_roots_match_the_certificate_transparency_vectors(size):
    assert tree_of(CT_LEAVES).root(size).hex() == CT_ROOTS[size]
    assert (
        Frontier().extended([leaf_hash(v) for v in CT_LEAVES[:size]]).root().hex()
        == (CT_ROOTS[size])
    )


# Distinct leaves, so a proof for one leaf cannot hold for another by coincidence.
values = st.lists(st.binary(max_size=8), min_size=1, max_size=70, unique=True)


@given(values, st.integers(min_value=0, max_value=69))
def test_the_frontier_grown_in_pieces_gives_the_rfc_root(leaves, cut):
    cut = min(cut, len(leaves))
    hashed = [leaf_hash(v) for v in leaves]
    frontier = Frontier().extended(hashed[:cut]).extended(hashed[cut:])
    assert frontier.root() == mth(leaves) == tree_of(leaves).root()
    assert len(frontier.hashes) <= 7


@given(values, st.data())
def test_every_inclusion_proof_verifies_and_only_for_its_leaf(leaves, data):
    size = data.draw(st.integers(min_value=1, max_value=len(leaves)))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    tree = tree_of(leaves)
    root = mth(leaves[:size])
    path = tree.inclusion_proof(index, size)
    assert verify_inclusion(index, size, leaf_hash(leaves[index]), path, root)
    assert not verify_inclusion(index, size, leaf_hash(leaves[index] + b"x"), path, root)
    if size > 1:
        assert not verify_inclusion((index + 1) % size, size, leaf_hash(leaves[index]), path, root)


@given(values, st.data())
def test_every_consistency_proof_verifies_and_fails_for_another_history(leaves, data):
    new = data.draw(st.integers(min_value=1, max_value=len(leaves)))
    old = data.draw(st.integers(min_value=1, max_value=new))
    tree = tree_of(leaves)
    path = tree.consistency_proof(old, new)
    old_root, new_root = mth(leaves[:old]), mth(leaves[:new])
    assert verify_consistency(old, new, old_root, new_root, path)
    forked = mth([*leaves[: old - 1], leaves[old - 1] + b"fork"])
    if old < new:
        assert not verify_consistency(old, new, forked, new_root, path)


def test_the_rfc_example_consistency_proofs_have_the_rfc_shape():
    # RFC 6962 2.1.3: from 3 to 7 the proof is [c, d, g, l], from 4 to 7 [l], 6 to 7 [i, j, k].
    tree = tree_of(CT_LEAVES[:7])
    c, d = tree.levels[0][2], tree.levels[0][3]
    g = tree.levels[1][0]
    i, j, k = tree.levels[1][2], tree.levels[0][6], tree.levels[2][0]
    ll = node_hash(node_hash(tree.levels[0][4], tree.levels[0][5]), tree.levels[0][6])
    assert tree.consistency_proof(3, 7) == [c, d, g, ll]
    assert tree.consistency_proof(4, 7) == [ll]
    assert tree.consistency_proof(6, 7) == [i, j, k]


def test_proofs_out_of_range_are_refused_by_name():
    tree = tree_of(CT_LEAVES)
    with pytest.raises(ProofError, match="leaf 8 is not in a tree of size 8"):
        tree.inclusion_proof(8, 8)
    with pytest.raises(ProofError, match="holds 8 leaves, not 9"):
        tree.consistency_proof(1, 9)
    with pytest.raises(ProofError, match="from size 0"):
        tree.consistency_proof(0, 3)


def test_a_frontier_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="size 3 holds 2 hashes, not 1"):
        Frontier(3, (EMPTY_ROOT,))
