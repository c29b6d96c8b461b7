"""Proofs an auditor carries away: one event's inclusion in a signed checkpoint, and one
checkpoint's consistency with a later one. Both are JSON documents (described by
contracts/published/proof.v1.schema.json) that hold everything a check needs besides the log's
public key: the signed checkpoint notes, the event's message bytes (base64, exactly as on
Kafka), and the RFC 6962 audit or consistency path (base64 hashes, in RFC 9162 order).

`check_proof` needs no Kafka and no database: it verifies the checkpoints' signatures with the
keys given, then the path (RFC 9162 2.1.3.2 / 2.1.4.2). Any RFC 6962 verifier can do the same
with the same fields.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson

from contracts.wire.checkpoint import CheckpointNote, load_checkpoint_note
from contracts.wire.merkle import (
    HASH_SIZE,
    MerkleTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from contracts.wire.signed_note import NoteError, Verifier, check_signatures

PROOF_VERSION = 1
INCLUSION = "inclusion"
CONSISTENCY = "consistency"


class MalformedProof(ValueError):
    """The document is not a proof of this format; the message names the field."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def inclusion_document(
    tree: MerkleTree, checkpoint: bytes, index: int, value: bytes
) -> dict[str, Any]:
    """The inclusion proof of leaf `index` (whose message value is `value`) in `checkpoint`."""
    size = load_checkpoint_note(checkpoint).checkpoint.size
    envelope = orjson.loads(value)
    return {
        "proof": INCLUSION,
        "proof_version": PROOF_VERSION,
        "checkpoint": checkpoint.decode(),
        "tree_size": size,
        "leaf_index": index,
        "event_id": envelope["event_id"],
        "position": envelope["position"],
        "event": _b64(value),
        "inclusion_path": [_b64(h) for h in tree.inclusion_proof(index, size)],
    }


def consistency_document(tree: MerkleTree, old: bytes, new: bytes) -> dict[str, Any]:
    old_size = load_checkpoint_note(old).checkpoint.size
    new_size = load_checkpoint_note(new).checkpoint.size
    return {
        "proof": CONSISTENCY,
        "proof_version": PROOF_VERSION,
        "old_checkpoint": old.decode(),
        "new_checkpoint": new.decode(),
        "consistency_path": [_b64(h) for h in tree.consistency_proof(old_size, new_size)],
    }


@dataclass(frozen=True)
class ProofCheck:
    ok: bool
    kind: str
    detail: str
    key_names: tuple[str, ...] = ()


def check_proof(document: Any, keys: list[Verifier]) -> ProofCheck:
    """Check a proof offline; MalformedProof for a document that is not one."""
    if not isinstance(document, dict):
        raise MalformedProof("the document must be a JSON object")
    if document.get("proof_version") != PROOF_VERSION:
        raise MalformedProof(f"proof_version must be {PROOF_VERSION}")
    kind = document.get("proof")
    if kind == INCLUSION:
        return _check_inclusion(document, keys)
    if kind == CONSISTENCY:
        return _check_consistency(document, keys)
    raise MalformedProof(f"proof must be {INCLUSION!r} or {CONSISTENCY!r}")


def _check_inclusion(document: dict[str, Any], keys: list[Verifier]) -> ProofCheck:
    checkpoint = _checkpoint(document, "checkpoint")
    index = _integer(document, "leaf_index")
    value = _bytes(document, "event")
    path = _hashes(document, "inclusion_path")
    signed = _signed_by(checkpoint, keys)
    size = checkpoint.checkpoint.size
    if not signed.ok:
        return ProofCheck(False, INCLUSION, f"checkpoint: {signed.detail}")
    if _integer(document, "tree_size") != size:
        return ProofCheck(False, INCLUSION, f"tree_size is not the checkpoint's size {size}")
    claimed = _claimed_identity(value, document)
    if claimed:
        return ProofCheck(False, INCLUSION, claimed)
    if not verify_inclusion(index, size, leaf_hash(value), path, checkpoint.checkpoint.root):
        return ProofCheck(
            False,
            INCLUSION,
            f"the event is not leaf {index} of the tree of size {size} the checkpoint signed",
        )
    return ProofCheck(
        True,
        INCLUSION,
        f"event {document['event_id']} (position {document['position']}) is leaf {index} of "
        f"{checkpoint.checkpoint.origin}'s tree of size {size}",
        signed.key_names,
    )


def _claimed_identity(value: bytes, document: dict[str, Any]) -> str:
    """What the document says of the event beside its bytes must be what the bytes say."""
    try:
        envelope = orjson.loads(value)
    except orjson.JSONDecodeError:
        return "event: the bytes are not an envelope"
    for name in ("event_id", "position"):
        if not isinstance(envelope, dict) or envelope.get(name) != document.get(name):
            return f"{name}: the document says {document.get(name)!r}, the event's bytes another"
    return ""


def _check_consistency(document: dict[str, Any], keys: list[Verifier]) -> ProofCheck:
    old = _checkpoint(document, "old_checkpoint")
    new = _checkpoint(document, "new_checkpoint")
    path = _hashes(document, "consistency_path")
    for name, loaded in (("old_checkpoint", old), ("new_checkpoint", new)):
        signed = _signed_by(loaded, keys)
        if not signed.ok:
            return ProofCheck(False, CONSISTENCY, f"{name}: {signed.detail}")
    if old.checkpoint.origin != new.checkpoint.origin:
        return ProofCheck(False, CONSISTENCY, "the two checkpoints are of different logs")
    a, b = old.checkpoint, new.checkpoint
    if not verify_consistency(a.size, b.size, a.root, b.root, path):
        return ProofCheck(
            False,
            CONSISTENCY,
            f"the tree of size {a.size} is not a prefix of the tree of size {b.size}",
        )
    return ProofCheck(
        True,
        CONSISTENCY,
        f"{a.origin}'s tree of size {a.size} is a prefix of its tree of size {b.size}",
        _signed_by(new, keys).key_names,
    )


def _signed_by(loaded: CheckpointNote, keys: list[Verifier]) -> ProofCheck:
    verdict = check_signatures(loaded.note, keys)
    if verdict.failed:
        return ProofCheck(False, "", f"the signature of {verdict.failed[0].name} does not hold")
    if not verdict.signed_by:
        return ProofCheck(False, "", "no key given signed it")
    return ProofCheck(True, "", "", tuple(v.name for v in verdict.signed_by))


def _checkpoint(document: dict[str, Any], name: str) -> CheckpointNote:
    raw = document.get(name)
    if not isinstance(raw, str):
        raise MalformedProof(f"{name} must be a signed checkpoint note (a string)")
    try:
        return load_checkpoint_note(raw)
    except NoteError as error:
        raise MalformedProof(f"{name}: {error}") from None


def _integer(document: dict[str, Any], name: str) -> int:
    raw = document.get(name)
    if type(raw) is not int or raw < 0:
        raise MalformedProof(f"{name} must be a non-negative integer")
    return raw


def _bytes(document: dict[str, Any], name: str) -> bytes:
    raw = document.get(name)
    try:
        if not isinstance(raw, str):
            raise binascii.Error
        return base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise MalformedProof(f"{name} must be base64") from None


def _hashes(document: dict[str, Any], name: str) -> list[bytes]:
    raw = document.get(name)
    if not isinstance(raw, list):
        raise MalformedProof(f"{name} must be a list of base64 SHA-256 hashes")
    hashes = [_bytes({name: item}, name) for item in raw]
    if any(len(h) != HASH_SIZE for h in hashes):
        raise MalformedProof(f"{name} must hold 32-byte hashes")
    return hashes
