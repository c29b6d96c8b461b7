"""The ledger's topics by name, and their creation: what every stage touching Kafka agrees on."""

from __future__ import annotations

from kafka.errors import KafkaConnectionError, KafkaTimeoutError

from contracts.wire.catalog import AGGREGATE_TYPES, chain_topic_name, topic_name
from infra.kafka.clients import ensure_topics
from infra.settings import Settings


class KafkaUnavailable(RuntimeError):
    """No broker answered at the configured address."""


def ledger_topics(settings: Settings) -> list[str]:
    return [topic_name(settings.topic_prefix, kind) for kind in AGGREGATE_TYPES]


def chain_topic(settings: Settings) -> str:
    return chain_topic_name(settings.topic_prefix)


def dead_letter_topic(settings: Settings) -> str:
    return topic_name(settings.topic_prefix, "dead-letter")


def prepare_topics(settings: Settings, extra: list[str] | None = None) -> None:
    try:
        ensure_topics(
            settings.kafka_bootstrap_servers,
            ledger_topics(settings) + (extra or []),
            settings.topic_partitions,
            settings.topic_replication_factor,
        )
    except (KafkaConnectionError, KafkaTimeoutError):
        hint = (
            "check KAFKA_BOOTSTRAP_SERVERS"
            if settings.kafka_is_external
            else "start the local broker with `make kafka-up` or set KAFKA_BOOTSTRAP_SERVERS"
        )
        raise KafkaUnavailable(
            f"no Kafka broker reachable at {settings.kafka_bootstrap_servers}: {hint}"
        ) from None


def prepare_chain_topic(settings: Settings) -> None:
    # One partition: seals are read back in the order they were written.
    ensure_topics(
        settings.kafka_bootstrap_servers,
        [chain_topic(settings)],
        1,
        settings.topic_replication_factor,
    )
