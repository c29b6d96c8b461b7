"""The subscriber kit: the projector's guarantees for downstream systems' own databases.

A `Subscriber` reads one or more of the ledger's topics in a consumer group and calls a handler
`(envelope, connection)` for every event, in the order of its partition (so in each aggregate's
order: messages are keyed by aggregate id). Messages are decoded by contracts.wire.codec.decode,
which validates them against their contract and upcasts older schema versions, so handlers only see
current payloads.

Exactly once: each partition's batch runs in one transaction on the subscriber's database,
together with the partition's next offset. On every assignment the consumer seeks to the stored
offsets (Kafka's committed offsets are never read). A crash anywhere leaves rows and offsets in
agreement; records below the stored offset are skipped. After each commit the same offsets are
also committed to Kafka, asynchronously, so the group's lag shows in Kafka's own tools.

A handler that raises rolls its batch back; the partition (and any not yet handled in the same
poll) is rewound to the batch's first record and `SubscriberError` is raised, so nothing is ever
skipped. A message that cannot be decoded (not an envelope, unknown event type, newer schema
version) is set aside to a dead-letter topic or callback, recorded in the `dead_letter` table,
and the subscriber carries on.

    subscriber = open_subscriber(
        "kafka:9092", "postgresql://cpq@db/cpq", "cpq", ["ledger.opportunity"], handle
    )
    subscriber.drain()      # or subscriber.run(stop_event)
    subscriber.close()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Connection, Engine

from consumers.dead_letters import DeadLetterSink, KafkaDeadLetters
from consumers.projector import Projector
from consumers.subscriber_database import open_subscriber_db
from consumers.subscriber_dead_letters import (
    CallbackDeadLetters,
    DeadLetterCallback,
    log_dead_letter,
)
from consumers.subscriber_kafka import dead_letter_producer, ensure_topic, subscriber_consumer
from contracts.wire.envelope import Envelope

Handler = Callable[[Envelope, Connection], None]


class SubscriberError(RuntimeError):
    """A handler failed; names the topic, partition and offsets of the batch rolled back."""


class Subscriber(Projector):
    """A consumer group member whose handler's rows and Kafka offsets commit together."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        engine: Engine,
        group_id: str,
        topics: list[str],
        handler: Handler,
        dead_letters: DeadLetterSink,
    ) -> None:
        super().__init__(consumer, engine, group_id, topics, _one_at_a_time(handler), dead_letters)

    @property
    def handled(self) -> int:
        """Records handled (or set aside) by this instance since it was opened."""
        return self.projected

    def poll_once(self, timeout_ms: int = 500) -> int:
        batches = list(self.consumer.poll(timeout_ms=timeout_ms).items())
        count = 0
        try:
            for index, (tp, records) in enumerate(batches):
                try:
                    count += self.project_records(tp, records)
                except Exception as error:
                    self._rewind(batches[index:])
                    raise SubscriberError(_batch_name(tp, records) + f": {error}") from error
        finally:
            self.projected += count
        return count

    def _rewind(self, batches: list[tuple[TopicPartition, list[Any]]]) -> None:
        # The consumer's in-memory position is past these records although none committed:
        # without a seek back the next poll would go on after them.
        for tp, records in batches:
            self.consumer.seek(tp, records[0].offset)

    def close(self) -> None:
        super().close()
        self.engine.dispose()


def _one_at_a_time(handler: Handler) -> Callable[[Connection, list[Envelope]], None]:
    def handle_batch(connection: Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            handler(envelope, connection)

    return handle_batch


def _batch_name(tp: TopicPartition, records: list[Any]) -> str:
    return f"{tp.topic}[{tp.partition}]@{records[0].offset}-{records[-1].offset}"


def open_subscriber(
    bootstrap_servers: str,
    database_url: str,
    group_id: str,
    topics: Sequence[str],
    handler: Handler,
    *,
    dead_letter_topic: str | None = None,
    on_dead_letter: DeadLetterCallback | None = None,
    max_poll_records: int = 500,
) -> Subscriber:
    """A started subscriber on `topics`, its positions in the database at `database_url`.

    Undecodable messages go to `dead_letter_topic` (created if missing), or to `on_dead_letter`,
    or, with neither, only to the log and the `dead_letter` table.
    """
    if not topics:
        raise ValueError("a subscriber needs at least one topic")
    if dead_letter_topic is not None and on_dead_letter is not None:
        raise ValueError("give either dead_letter_topic or on_dead_letter, not both")
    engine = open_subscriber_db(database_url)
    sink: DeadLetterSink
    if dead_letter_topic is not None:
        ensure_topic(bootstrap_servers, dead_letter_topic)
        sink = KafkaDeadLetters(dead_letter_producer(bootstrap_servers), dead_letter_topic)
    else:
        sink = CallbackDeadLetters(on_dead_letter or log_dead_letter)
    subscriber = Subscriber(
        subscriber_consumer(bootstrap_servers, group_id, max_poll_records),
        engine,
        group_id,
        list(topics),
        handler,
        sink,
    )
    subscriber.start()
    return subscriber
