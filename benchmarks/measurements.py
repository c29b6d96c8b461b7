"""The four timed measurements. Each one times only the loop it names, nothing around it.

Set-up that both sides of a comparison share (connecting, fetching topic metadata) happens
before the clock starts, for the ledger's component and the raw client alike, so the ratios
compare per-event work rather than connection latency.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import create_engine

from contracts.wire.chain import GENESIS
from domain.ledger import Ledger
from infra.bootstrap import open_projector, open_relay
from infra.kafka.clients import (
    consumer_settings,
    ensure_topics,
    producer_settings,
    topic_partitions,
)
from infra.kafka.topics import ledger_topics
from infra.relay.checkpoint import RelayCheckpoint
from infra.settings import Settings
from infra.store.urls import sqlalchemy_url

if TYPE_CHECKING:  # same_bytes imports BenchmarkError from here
    from benchmarks.same_bytes import OutgoingMessage, Published


class BenchmarkError(RuntimeError):
    """A measurement did not move the expected number of events; its figure would be wrong."""


@dataclass(frozen=True)
class Timing:
    events: int
    seconds: float
    # Opening the component before its timed loop (relay: lock, checkpoint, topics, recovery
    # read-back, producer metadata; projector: tables, consumer): reported on its own.
    startup_s: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def time_relay(settings: Settings, ledger: Ledger, expected: int) -> Timing:
    """`Relay.drain()` publishing the whole store to the fresh topics of `settings`."""
    # Every relay round publishes the same store again, to topics of its own.
    reset_relay_checkpoint(settings)
    opening = time.perf_counter()
    relay = open_relay(settings, ledger)
    try:
        warm_up_metadata(relay.producer, ledger_topics(settings))
        started = time.perf_counter()
        count = relay.drain()
        seconds = time.perf_counter() - started
    finally:
        relay.close()
    require_count("relay", count, expected)
    return Timing(count, seconds, started - opening)


def reset_relay_checkpoint(settings: Settings) -> None:
    engine = create_engine(sqlalchemy_url(settings.event_store_url))
    try:
        RelayCheckpoint(engine).save(GENESIS)
    finally:
        engine.dispose()


def time_raw_producer(
    settings: Settings,
    prefix: str,
    published: Published,
    messages: Sequence[OutgoingMessage] | None = None,
) -> Timing:
    """kafka-python with the relay's producer settings sending the relay's records (events and
    seals, same keys, values, headers and partitions) to `prefix`'s topics: send + flush."""
    to_send = published.messages if messages is None else messages
    for suffix, partitions in published.partitions.items():
        ensure_topics(
            settings.kafka_bootstrap_servers,
            [prefix + suffix],
            partitions,
            settings.topic_replication_factor,
        )
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **producer_settings()
    )
    try:
        warm_up_metadata(producer, [prefix + suffix for suffix in published.partitions])
        started = time.perf_counter()
        futures = [
            producer.send(
                prefix + message.suffix,
                key=message.key,
                value=message.value,
                headers=message.headers,
                partition=message.partition,
            )
            for message in to_send
        ]
        producer.flush()
        seconds = time.perf_counter() - started
    finally:
        producer.close()
    failed = sum(1 for future in futures if future.failed())
    require_count("raw producer", len(futures) - failed, len(to_send))
    # Per event, as the relay's rate is: the seals are sent too, but are not events.
    return Timing(sum(1 for message in to_send if not message.suffix.endswith(".chain")), seconds)


def warm_up_metadata(producer: KafkaProducer, topics: Sequence[str]) -> None:
    # Blocks until the producer knows the topics' partitions (and so their leaders).
    for topic in topics:
        producer.partitions_for(topic)


def time_projector(settings: Settings, expected: int) -> Timing:
    """`Projector.drain()` into an empty projection DB, from offset 0 of every partition.

    The timing includes joining the consumer group: that is part of what `drain` does.
    """
    opening = time.perf_counter()
    projector = open_projector(settings)
    try:
        started = time.perf_counter()
        count = projector.drain()
        seconds = time.perf_counter() - started
    finally:
        projector.close()
        projector.engine.dispose()
    require_count("projector", count, expected)
    return Timing(count, seconds, started - opening)


def time_raw_consumer(
    bootstrap_servers: str, topics: Sequence[str], expected: int, timeout_s: float = 300.0
) -> Timing:
    """A plain consumer with the projector's settings reading every record of the ledger's
    topics (those the projector reads) and parsing its JSON."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, **consumer_settings(None))
    try:
        partitions = topic_partitions(consumer, topics)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        started = time.perf_counter()
        count = read_and_parse(consumer, expected, started + timeout_s)
        seconds = time.perf_counter() - started
    finally:
        consumer.close()
    require_count("raw consumer", count, expected)
    return Timing(count, seconds)


def read_and_parse(consumer: KafkaConsumer, expected: int, deadline: float) -> int:
    count = 0
    while count < expected and time.perf_counter() < deadline:
        for records in consumer.poll(timeout_ms=200).values():
            for record in records:
                json.loads(record.value)
            count += len(records)
    return count


def require_count(what: str, count: int, expected: int) -> None:
    if count != expected:
        raise BenchmarkError(f"{what} handled {count} events, expected {expected}")
