"""`ledger audit verify`: check the ledger's topics against their hash chain, seals and signed
checkpoints, reading Kafka only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from contracts.wire.catalog import AGGREGATE_TYPES, chain_topic_name, topic_name
from contracts.wire.chain_verify import (
    PublishedRecord,
    Verification,
    ledger_order,
    sort_problems,
    verify_chain,
)
from contracts.wire.checkpoint_verify import TrustPolicy, verify_checkpoints
from contracts.wire.signed_note import COSIGNATURE_V1
from infra.kafka.snapshot import read_topics
from infra.log_keys import log_origin, parse_key, trusted_log_keys
from infra.settings import Settings


@dataclass(frozen=True)
class Trust:
    """What the auditor trusts beyond the settings: log keys, witnesses, a noted checkpoint."""

    log_keys: list[str] = field(default_factory=list)
    witness_keys: list[str] = field(default_factory=list)
    witnesses: int = 0
    noted: list[bytes] = field(default_factory=list)  # checkpoints the auditor kept


def trust_policy(settings: Settings, trust: Trust) -> TrustPolicy:
    return TrustPolicy(
        origin=log_origin(settings),
        log_keys=trusted_log_keys(settings, trust.log_keys),
        witness_keys=[parse_key(k, "--witness-key", COSIGNATURE_V1) for k in trust.witness_keys],
        witnesses_required=trust.witnesses,
    )


@dataclass(frozen=True)
class PublishedLedger:
    """The ledger's topics as read: events, seals and checkpoint notes."""

    events: list[PublishedRecord]
    seals: list[PublishedRecord]
    checkpoints: list[PublishedRecord]


def read_ledger(
    settings: Settings, on_progress: Callable[[int], None] | None = None
) -> PublishedLedger:
    event_topics = [topic_name(settings.topic_prefix, kind) for kind in AGGREGATE_TYPES]
    chain_topic = chain_topic_name(settings.topic_prefix)
    records = read_topics(
        settings.kafka_bootstrap_servers, [*event_topics, chain_topic], on_progress=on_progress
    )
    chain = records[chain_topic]
    # Seals are JSON objects, checkpoints signed notes (whose origin line is never "{...").
    return PublishedLedger(
        [record for topic in event_topics for record in records[topic]],
        [r for r in chain if r.value.startswith(b"{")],
        [r for r in chain if not r.value.startswith(b"{")],
    )


def verify(
    settings: Settings,
    on_progress: Callable[[int], None] | None = None,
    trust: Trust | None = None,
) -> Verification:
    trust = trust or Trust()
    policy = trust_policy(settings, trust)  # bad keys are refused before Kafka is read
    ledger = read_ledger(settings, on_progress)
    result = verify_chain(ledger.events, ledger.seals)
    noted = [PublishedRecord("(noted checkpoint)", 0, n, raw) for n, raw in enumerate(trust.noted)]
    log = verify_checkpoints(ledger_order(ledger.events), [*noted, *ledger.checkpoints], policy)
    result.problems += log.problems
    result.checkpoints = len(log.trusted)
    result.log_size = log.latest.size if log.latest else 0
    result.log_root = log.root
    result.witnessed = log.witnessed
    sort_problems(result)
    return result
