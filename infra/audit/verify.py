"""`ledger audit verify`: check the ledger's topics against their hash chain, reading Kafka only."""

from __future__ import annotations

from collections.abc import Callable

from contracts.wire.catalog import AGGREGATE_TYPES, chain_topic_name, topic_name
from contracts.wire.chain_verify import Verification, verify_chain
from infra.kafka.snapshot import read_topics
from infra.settings import Settings


def verify(settings: Settings, on_progress: Callable[[int], None] | None = None) -> Verification:
    event_topics = [topic_name(settings.topic_prefix, kind) for kind in AGGREGATE_TYPES]
    seal_topic = chain_topic_name(settings.topic_prefix)
    records = read_topics(
        settings.kafka_bootstrap_servers, [*event_topics, seal_topic], on_progress=on_progress
    )
    events = [record for topic in event_topics for record in records[topic]]
    return verify_chain(events, records[seal_topic])
