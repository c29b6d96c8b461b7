"""Checks the Merkle log's signed checkpoints against the events on Kafka.

The hash chain's seals are unsigned: whoever can write every topic can append a well-linked
event and a matching seal. A checkpoint is signed with the relay's key, so this check names:
- forged-checkpoint: no key the auditor trusts signed it (an unknown key, a failed signature,
  or another log's origin);
- altered: a trusted checkpoint's root is not the root of the events Kafka holds up to its size;
- missing: a trusted checkpoint counts more events than Kafka holds;
- split-view: two trusted checkpoints of the same size with different roots (the log showed
  two histories);
- uncheckpointed: events after the largest trusted checkpoint, once the log signs checkpoints
  (topics written before it have none, and their seals are checked as before);
- unwitnessed: the largest checkpoint lacks the cosignatures demanded of distinct witnesses.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson

from contracts.wire.chain_verify import Problem, PublishedRecord
from contracts.wire.checkpoint import Checkpoint, CheckpointNote, load_checkpoint_note
from contracts.wire.merkle import MerkleTree, leaf_hash
from contracts.wire.signed_note import NoteError, Verifier, check_signatures


@dataclass(frozen=True)
class TrustPolicy:
    origin: str
    log_keys: Sequence[Verifier]
    witness_keys: Sequence[Verifier] = ()
    witnesses_required: int = 0


@dataclass
class LogVerification:
    problems: list[Problem] = field(default_factory=list)
    trusted: list[tuple[CheckpointNote, PublishedRecord]] = field(default_factory=list)
    latest: Checkpoint | None = None
    witnessed: int = 0

    @property
    def root(self) -> str:
        return base64.b64encode(self.latest.root).decode() if self.latest else ""


def verify_checkpoints(
    ordered_events: Sequence[PublishedRecord],
    checkpoint_records: Sequence[PublishedRecord],
    policy: TrustPolicy,
) -> LogVerification:
    result = LogVerification()
    for record in checkpoint_records:
        loaded = _trusted(record, policy, result)
        if loaded is not None:
            result.trusted.append((loaded, record))
    tree = MerkleTree([leaf_hash(record.value) for record in ordered_events])
    positions = [_position(record) for record in ordered_events]
    _check_against_tree(tree, positions, result)
    _check_split_views(result)
    if result.trusted:
        latest = max((c.checkpoint for c, _ in result.trusted), key=lambda c: c.size)
        result.latest = latest
        _check_tail(latest, ordered_events, positions, result)
        _check_witnesses(latest, policy, result)
    return result


def _position(record: PublishedRecord) -> int:
    # ledger_order has already checked that the envelope has an integer position.
    position: int = orjson.loads(record.value)["position"]
    return position


def _trusted(
    record: PublishedRecord, policy: TrustPolicy, result: LogVerification
) -> CheckpointNote | None:
    try:
        loaded = load_checkpoint_note(record.value)
    except NoteError as error:
        result.problems.append(Problem("malformed", None, record.where, f"bad checkpoint: {error}"))
        return None
    verdict = check_signatures(loaded.note, list(policy.log_keys))
    size = loaded.checkpoint.size
    if loaded.checkpoint.origin != policy.origin:
        detail = f"its origin {loaded.checkpoint.origin!r} is not this log's ({policy.origin!r})"
    elif verdict.failed:
        detail = f"the signature of {verdict.failed[0].name} does not hold: the note was altered"
    elif not verdict.signed_by:
        carried = ", ".join(f"{s.name} ({s.key_id.hex()})" for s in loaded.note.signatures)
        detail = (
            f"no trusted key signed it (signed by {carried}); if this is the log's key, "
            "give its verifier key with --key (ledger audit pubkey prints it)"
        )
    else:
        return loaded
    result.problems.append(
        Problem("forged-checkpoint", None, record.where, f"checkpoint of size {size}: {detail}")
    )
    return None


def _check_against_tree(tree: MerkleTree, positions: list[int], result: LogVerification) -> None:
    for loaded, record in result.trusted:
        checkpoint = loaded.checkpoint
        if checkpoint.size > tree.size:
            result.problems.append(
                Problem(
                    "missing",
                    positions[-1] if positions else None,
                    record.where,
                    f"the checkpoint counts {checkpoint.size} events; Kafka holds {tree.size}",
                )
            )
        elif checkpoint.size and tree.root(checkpoint.size) != checkpoint.root:
            last = positions[checkpoint.size - 1]
            result.problems.append(
                Problem(
                    "altered",
                    last,
                    record.where,
                    f"the events up to position {last} do not hash to the root the "
                    f"checkpoint of size {checkpoint.size} signed",
                )
            )


def _check_split_views(result: LogVerification) -> None:
    first: dict[int, tuple[Checkpoint, PublishedRecord]] = {}
    for loaded, record in result.trusted:
        checkpoint = loaded.checkpoint
        seen = first.setdefault(checkpoint.size, (checkpoint, record))
        if seen[0].root != checkpoint.root:
            result.problems.append(
                Problem(
                    "split-view",
                    None,
                    record.where,
                    f"two signed checkpoints of size {checkpoint.size} with different roots "
                    f"(the other at {seen[1].where}): the log showed two histories",
                )
            )


def _check_tail(
    latest: Checkpoint,
    ordered_events: Sequence[PublishedRecord],
    positions: list[int],
    result: LogVerification,
) -> None:
    beyond = len(ordered_events) - latest.size
    if beyond > 0:
        result.problems.append(
            Problem(
                "uncheckpointed",
                positions[latest.size],
                ordered_events[latest.size].where,
                f"{beyond} events after the last signed checkpoint (size {latest.size}); "
                "if a relay is publishing, verify again once it has signed",
            )
        )


def _check_witnesses(latest: Checkpoint, policy: TrustPolicy, result: LogVerification) -> None:
    witnesses: set[bytes] = set()
    for loaded, _ in result.trusted:
        if loaded.checkpoint == latest:
            verdict = check_signatures(loaded.note, list(policy.witness_keys))
            witnesses.update(v.key_id for v in verdict.signed_by)
    result.witnessed = len(witnesses)
    if len(witnesses) < policy.witnesses_required:
        result.problems.append(
            Problem(
                "unwitnessed",
                None,
                "(checkpoints)",
                f"the checkpoint of size {latest.size} has {len(witnesses)} of the "
                f"{policy.witnesses_required} witness cosignatures demanded",
            )
        )
