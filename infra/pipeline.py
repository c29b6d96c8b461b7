"""Builds the running pieces (relay, projector) from settings."""

from __future__ import annotations

from kafka.errors import KafkaConnectionError, KafkaTimeoutError
from sqlalchemy import create_engine

from consumers.dead_letters import KafkaDeadLetters
from consumers.projector import Projector
from contracts.catalog import AGGREGATE_TYPES, chain_topic_name, topic_name
from domain.ledger import Ledger
from infra.event_store import sqlalchemy_url
from infra.kafka_clients import ensure_topics, new_consumer, new_producer
from infra.partition_tails import published_after
from infra.relay import Relay
from infra.relay_checkpoint import RelayCheckpoint
from infra.relay_feed import EncoderProcess
from infra.relay_lock import RelayLock
from infra.settings import Settings
from projections.database import open_projection_db
from projections.dispatch import project_envelopes


class KafkaUnavailable(RuntimeError):
    """No broker answered at the configured address."""


def ledger_topics(settings: Settings) -> list[str]:
    return [topic_name(settings.topic_prefix, kind) for kind in AGGREGATE_TYPES]


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


def chain_topic(settings: Settings) -> str:
    return chain_topic_name(settings.topic_prefix)


def prepare_chain_topic(settings: Settings) -> None:
    # One partition: seals are read back in the order they were written.
    ensure_topics(
        settings.kafka_bootstrap_servers,
        [chain_topic(settings)],
        1,
        settings.topic_replication_factor,
    )


def open_relay(settings: Settings, ledger: Ledger) -> Relay:
    """A relay holding this store's lock, resumed from what Kafka says it already holds."""
    prepare_topics(settings)
    prepare_chain_topic(settings)
    lock = RelayLock.acquire(settings.event_store_url, f"relay-{settings.topic_prefix}")
    relay: Relay | None = None
    try:
        checkpoint = RelayCheckpoint(create_engine(sqlalchemy_url(settings.event_store_url)))
        tail = published_after(
            settings.kafka_bootstrap_servers, ledger_topics(settings), checkpoint.load().position
        )
        relay = Relay(
            ledger,
            new_producer(settings.kafka_bootstrap_servers),
            checkpoint,
            settings.topic_prefix,
            tail.published(),
            settings.relay_batch_size,
            lock=lock,
        )
        relay.check_against(tail)
        relay.reseal()
        if settings.relay_encoder == "process":
            relay.feed = EncoderProcess(settings, relay.partition_counts())
    except BaseException:
        if relay is not None:
            relay.producer.close()
        lock.release()
        raise
    return relay


def dead_letter_topic(settings: Settings) -> str:
    return topic_name(settings.topic_prefix, "dead-letter")


def open_projector(settings: Settings) -> Projector:
    prepare_topics(settings, extra=[dead_letter_topic(settings)])
    engine = open_projection_db(sqlalchemy_url(settings.projections_url), writer=True)
    projector = Projector(
        new_consumer(settings.kafka_bootstrap_servers, settings.projector_group),
        engine,
        settings.projector_group,
        ledger_topics(settings),
        project_envelopes,
        KafkaDeadLetters(
            new_producer(settings.kafka_bootstrap_servers), dead_letter_topic(settings)
        ),
    )
    projector.start()
    return projector
