"""The composition root: builds the running pieces (relay, projector) from settings."""

from __future__ import annotations

from sqlalchemy import create_engine

from consumers.dead_letters import KafkaDeadLetters
from consumers.projector import Projector
from domain.ledger import Ledger
from infra.kafka.clients import new_consumer, new_producer
from infra.kafka.topics import (
    dead_letter_topic,
    ledger_topics,
    prepare_chain_topic,
    prepare_topics,
)
from infra.log_keys import log_origin, log_signer
from infra.relay.checkpoint import RelayCheckpoint
from infra.relay.cloudevents import cloudevents_source
from infra.relay.feed import EncoderProcess
from infra.relay.lock import RelayLock
from infra.relay.relay import Relay
from infra.relay.tails import published_after
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db
from projections.dispatch import project_envelopes


def open_relay_on_its_store(settings: Settings) -> Relay:
    """A relay with a store of its own, for a process that runs only it: see close_relay."""
    ledger = open_ledger(settings)
    try:
        return open_relay(settings, ledger)
    except BaseException:
        ledger.close()
        raise


def close_relay(relay: Relay) -> None:
    """Close a relay from `open_relay_on_its_store`, its store and its checkpoint's pool too."""
    try:
        relay.close()
    finally:
        relay.checkpoint.engine.dispose()
        relay.ledger.close()


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
            cloudevents_source=cloudevents_source(settings),
            signer=log_signer(settings, create=True),
            origin=log_origin(settings),
        )
        relay.check_against(tail)
        relay.restore_log()
        relay.reseal()
        if settings.relay_encoder == "process":
            relay.feed = EncoderProcess(settings, relay.partition_counts())
    except BaseException:
        if relay is not None:
            relay.producer.close()
        lock.release()
        raise
    return relay


def open_projector(settings: Settings) -> Projector:
    prepare_topics(settings, extra=[dead_letter_topic(settings)])
    engine = open_projection_db(sqlalchemy_url(settings.projections_url), writer=True)
    projector = Projector(
        new_consumer(
            settings.kafka_bootstrap_servers, settings.projector_group, settings.kafka_client_id
        ),
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
