"""`ledger audit witness`: an auditor co-signs the log's latest checkpoint with its own key.

A witness vouches that the checkpoint is consistent with everything it witnessed before, so
that the log cannot show it one history and someone else another (c2sp.org/tlog-cosignature,
Ed25519 cosignature/v1). This witness reads the topics itself: it requires the events on Kafka
to reproduce the checkpoint's root, and the checkpoint it cosigned last (kept in its state
file) to be a prefix of it, checked with an RFC 6962 consistency proof. Then it adds its
cosignature line to the log's note, publishes that copy on `<prefix>.chain` (where `verify
--witnesses N` counts them) and keeps it as its new state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from contracts.wire.catalog import chain_topic_name
from contracts.wire.checkpoint import CHECKPOINT_HEADERS, CHECKPOINT_KEY, load_checkpoint_note
from contracts.wire.merkle import verify_consistency
from contracts.wire.signed_note import COSIGNATURE_V1, Signer
from infra.audit.proofs import LogView, ProofRefused, read_log
from infra.audit.verify import Trust
from infra.kafka.clients import new_producer
from infra.settings import Settings


class WitnessRefused(RuntimeError):
    """The witness will not cosign: the log's checkpoint is not consistent with what it saw."""


@dataclass(frozen=True)
class Cosigned:
    size: int
    note: bytes


def witness(settings: Settings, signer: Signer, state: Path, trust: Trust) -> Cosigned:
    if signer.kind != COSIGNATURE_V1:
        raise WitnessRefused(f"{signer.name} is not a witness key (type 0x04)")
    log = read_log(settings, trust)
    try:
        raw = log.latest()
        loaded = log.checked(raw)
    except ProofRefused as error:
        raise WitnessRefused(str(error)) from None
    _check_consistent_with_state(log, loaded.checkpoint.size, loaded.checkpoint.root, state)
    signature = signer.sign(loaded.note.text, timestamp=int(time.time()))
    cosigned = loaded.note.with_signature(signature).render().encode()
    producer = new_producer(settings.kafka_bootstrap_servers)
    try:
        producer.send(
            chain_topic_name(settings.topic_prefix),
            key=CHECKPOINT_KEY,
            value=cosigned,
            headers=CHECKPOINT_HEADERS,
            partition=0,
        )
        producer.flush()
    finally:
        producer.close()
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(cosigned)
    return Cosigned(loaded.checkpoint.size, cosigned)


def _check_consistent_with_state(log: LogView, size: int, root: bytes, state: Path) -> None:
    if not state.exists():
        return
    before = load_checkpoint_note(state.read_bytes()).checkpoint
    if before.size > size:
        raise WitnessRefused(
            f"the log's latest checkpoint (size {size}) is smaller than the one this witness "
            f"cosigned before (size {before.size}): the log went back"
        )
    path = log.tree.consistency_proof(before.size, size) if before.size else []
    if before.size and not verify_consistency(before.size, size, before.root, root, path):
        raise WitnessRefused(
            f"the checkpoint this witness cosigned (size {before.size}) is not a prefix of the "
            f"log's latest (size {size}): the log forked"
        )
