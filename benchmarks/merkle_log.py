"""The Merkle log's own costs: signing a checkpoint, and making an inclusion proof.

The relay's throughput already includes the log (a leaf hash per event in the encoder, one
root and one Ed25519 signature per batch): `relay_vs_raw_producer` is measured with it on.
Here, on the reference drain's topics: the median time to compute a checkpoint's root from the
frontier and sign it, as the relay does per batch; the time `ledger audit prove` spends reading
the topics and building the tree; and the median time to make one proof from that tree.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from uuid import UUID

import orjson

from contracts.wire.checkpoint import Checkpoint, signed_checkpoint
from contracts.wire.merkle import Frontier
from infra.audit.proofs import read_log
from infra.audit.verify import Trust
from infra.log_keys import log_origin, log_signer
from infra.settings import Settings

SIGNINGS = 500
PROOFS = 200


class MerkleBenchmarkError(RuntimeError):
    """The reference topics hold no signed checkpoint to measure against."""


@dataclass(frozen=True)
class MerkleTimes:
    checkpoint_sign_ms: float
    prove_log_read_s: float
    prove_ms: float


def time_merkle_log(settings: Settings) -> MerkleTimes:
    signer = log_signer(settings)
    if signer is None:
        raise MerkleBenchmarkError("the reference relay left no signing key")
    started = time.perf_counter()
    log = read_log(settings, Trust())
    read_s = time.perf_counter() - started
    if not log.checkpoints:
        raise MerkleBenchmarkError("the reference topics hold no signed checkpoint")
    frontier = Frontier().extended(log.tree.levels[0])
    origin = log_origin(settings)
    signing = []
    for _ in range(SIGNINGS):
        started = time.perf_counter()
        signed_checkpoint(Checkpoint(origin, frontier.size, frontier.root()), signer)
        signing.append(time.perf_counter() - started)
    ids = [UUID(orjson.loads(r.value)["event_id"]) for r in log.events[: max(log.checkpoints)]]
    proving = []
    for event_id in random.Random(0).sample(ids, min(PROOFS, len(ids))):
        started = time.perf_counter()
        log.prove(event_id)
        proving.append(time.perf_counter() - started)
    return MerkleTimes(
        round(statistics.median(signing) * 1000, 3),
        round(read_s, 2),
        round(statistics.median(proving) * 1000, 3),
    )
