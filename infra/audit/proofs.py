"""`ledger audit prove` and `ledger audit consistency`: proofs made from the topics.

Both read the ledger's topics, rebuild the Merkle tree over the events (the relay's leaves: the
message values in global order) and take the checkpoints a trusted key signed. A proof is made
only against a checkpoint whose root the events on Kafka reproduce: a log that disagrees with
its own checkpoint gets `ProofRefused`, never a proof that would not check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any
from uuid import UUID

import orjson

from contracts.wire.chain_verify import PublishedRecord, ledger_order
from contracts.wire.checkpoint import CheckpointNote, load_checkpoint_note
from contracts.wire.merkle import MerkleTree, leaf_hash
from contracts.wire.proofs import consistency_document, inclusion_document
from contracts.wire.signed_note import NoteError, Verifier, check_signatures
from infra.audit.verify import Trust, read_ledger, trust_policy
from infra.settings import Settings


class ProofRefused(LookupError):
    """No proof can be made: an unknown id, no signed checkpoint covering it, or a log that
    does not reproduce its checkpoint. The message says which."""


@dataclass
class LogView:
    events: list[PublishedRecord]
    tree: MerkleTree
    checkpoints: dict[int, bytes]  # size -> the trusted signed note (the last one seen)
    keys: list[Verifier]

    def latest(self) -> bytes:
        if not self.checkpoints:
            raise ProofRefused("no checkpoint on the chain topic is signed by a trusted key")
        return self.checkpoints[max(self.checkpoints)]

    def prove(self, event_id: UUID) -> dict[str, Any]:
        """The inclusion proof of this event in the latest signed checkpoint."""
        wanted = str(event_id)
        index = self._index.get(wanted)
        if index is None:
            raise ProofRefused(f"no event with id {wanted} on the ledger's topics")
        raw = self.latest()
        size = self.checked(raw).checkpoint.size
        if index >= size:
            raise ProofRefused(
                f"event {wanted} is leaf {index}, after the latest signed checkpoint (size "
                f"{size}); prove it again once the relay has signed the next one"
            )
        return inclusion_document(self.tree, raw, index, self.events[index].value)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {orjson.loads(r.value)["event_id"]: n for n, r in enumerate(self.events)}

    def checked(self, raw: bytes) -> CheckpointNote:
        """The checkpoint, once the events on Kafka reproduce its root."""
        loaded = load_checkpoint_note(raw)
        size = loaded.checkpoint.size
        if size > self.tree.size or self.tree.root(size) != loaded.checkpoint.root:
            raise ProofRefused(
                f"the events on Kafka do not reproduce the checkpoint of size {size}: "
                "run `ledger audit verify`"
            )
        return loaded


def read_log(settings: Settings, trust: Trust) -> LogView:
    policy = trust_policy(settings, trust)
    ledger = read_ledger(settings)
    events = ledger_order(ledger.events)
    checkpoints: dict[int, bytes] = {}
    for record in ledger.checkpoints:
        try:
            loaded = load_checkpoint_note(record.value)
        except NoteError:
            continue  # verify names it; a proof just does not use it
        verdict = check_signatures(loaded.note, list(policy.log_keys))
        if verdict.signed_by and not verdict.failed and loaded.checkpoint.origin == policy.origin:
            checkpoints[loaded.checkpoint.size] = record.value
    tree = MerkleTree([leaf_hash(r.value) for r in events])
    return LogView(events, tree, checkpoints, list(policy.log_keys))


def prove_inclusion(settings: Settings, event_id: UUID, trust: Trust) -> dict[str, Any]:
    return read_log(settings, trust).prove(event_id)


def prove_consistency(
    settings: Settings, old: bytes | int, new: bytes | int | None, trust: Trust
) -> dict[str, Any]:
    """OLD and NEW: a signed checkpoint note the auditor kept, or a tree size whose checkpoint
    is on the chain topic; NEW None is the latest."""
    log = read_log(settings, trust)
    old_raw = _resolve(log, old)
    new_raw = log.latest() if new is None else _resolve(log, new)
    old_size = log.checked(old_raw).checkpoint.size
    new_size = log.checked(new_raw).checkpoint.size
    if not 0 < old_size <= new_size:
        raise ProofRefused(f"no consistency proof from size {old_size} to size {new_size}")
    return consistency_document(log.tree, old_raw, new_raw)


def _resolve(log: LogView, given: bytes | int) -> bytes:
    if isinstance(given, bytes):
        try:
            verdict = check_signatures(load_checkpoint_note(given).note, log.keys)
        except NoteError as error:
            raise ProofRefused(f"the checkpoint given is not one: {error}") from None
        if not verdict.signed_by or verdict.failed:
            raise ProofRefused("the checkpoint given is not signed by a trusted log key")
        return given
    if given not in log.checkpoints:
        raise ProofRefused(f"no trusted checkpoint of size {given} on the chain topic")
    return log.checkpoints[given]
