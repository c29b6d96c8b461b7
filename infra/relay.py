"""The relay: publishes the event store's notification log to Kafka, in order, once.

Why nothing is lost: the relay reads notifications strictly after its checkpoint, in
notification-id order (on PostgreSQL the recorder's table lock makes commit order equal id
order, so a reader never overtakes a commit), and it advances the checkpoint only after Kafka
has acknowledged every message of the batch (acks=all).

Why nothing is doubled after a crash: a crash between Kafka's acknowledgement and the
checkpoint write would make a naive relay send the batch again. Instead, at start-up the relay
asks Kafka itself what it holds after the checkpoint: it reads every partition back from its end
to the first envelope at or below the checkpoint (infra.partition_tails) and skips exactly the
positions it found. Kafka transactions are not needed for this argument.

Why nothing is reordered: every event's partition is a pure function of its key; one relay runs
per store (infra.relay_lock); the producer is idempotent with at most 5 requests in flight, so
retries never reorder; and batches never expire in the producer (delivery timeout effectively
unbounded, see infra.kafka_clients), because an expired batch followed by a later one that
succeeds would leave a hole in a partition. Should a hole ever be found at start-up, the relay
refuses to fill it out of order (RelayStateMismatch) rather than reorder an aggregate's events.

Why tampering shows: each envelope carries the hash of its predecessor's message value in the
global order, and after each acknowledged batch a seal on `<prefix>.chain` records the head
(contracts.chain). The chain is a pure function of the store: the encoding is deterministic and
the checkpoint keeps the head, so events re-sent or skipped after a crash carry the same links.

Why the topics belong to this store: at start-up a position on Kafka beyond the store's last
event, or empty topics behind a non-zero checkpoint, mean the topics and the store have been
mixed up (a reset broker, a reset store, two stores sharing a prefix); the relay refuses both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache

from kafka import KafkaProducer, TopicPartition
from kafka.partitioner.default import murmur2
from kafka.producer.future import FutureRecordMetadata

from contracts.catalog import AGGREGATE_TYPES, chain_topic_name, topic_name
from contracts.chain import SEAL_HEADERS, SEAL_KEY, ChainHead, seal_value
from domain.ledger import Ledger
from infra.partition_tails import PublishedTail
from infra.relay_checkpoint import RelayCheckpoint
from infra.relay_lock import RelayLock
from infra.stored_event_encoder import StoredEventEncoder


class RelayPublishError(RuntimeError):
    """Kafka refused or failed to acknowledge part of a batch; the checkpoint did not move."""


class RelayStateMismatch(RuntimeError):
    """The topics and the event store disagree in a way the relay must not paper over."""


class Relay:
    """Moves events from the store to Kafka, batch by batch."""

    def __init__(
        self,
        ledger: Ledger,
        producer: KafkaProducer,
        checkpoint: RelayCheckpoint,
        topic_prefix: str,
        published: set[int],
        batch_size: int = 2000,
        lock: RelayLock | None = None,
    ) -> None:
        self.ledger = ledger
        self.lock = lock
        self.producer = producer
        self.checkpoint = checkpoint
        self.topics = {kind: topic_name(topic_prefix, kind) for kind in AGGREGATE_TYPES}
        self.published = published
        self.batch_size = batch_size
        self.encoder = StoredEventEncoder(ledger.mapper)
        self.chain_topic = chain_topic_name(topic_prefix)
        self.head = checkpoint.load()
        self._partitions: dict[str, list[int]] = {}

    def publish_batch(self) -> int:
        """Publish the next batch of stored events; returns how many notifications it covered."""
        notifications = self.ledger.recorder.select_notifications(
            start=self.head.position + 1, limit=self.batch_size
        )
        if not notifications:
            return 0
        head = self.head
        send = self.producer.send
        futures = []
        for notification in notifications:
            message = self.encoder.encode(notification, head)
            head = head.after(notification.id, message.value)
            if notification.id in self.published:
                continue  # Kafka already holds it: published before a crash, checkpoint lost
            topic = self.topics[message.aggregate_type]
            futures.append(
                send(
                    topic,
                    key=message.key,
                    value=message.value,
                    headers=message.headers,
                    partition=self.partition_for(topic, message.key),
                )
            )
        self.producer.flush()
        self._raise_if_failed(futures)
        # The seal goes out only once the events it vouches for are acknowledged, so a seal
        # on Kafka never names an event Kafka lacks.
        self._raise_if_failed([self._seal(head)])
        self.head = head
        self.checkpoint.save(head)
        self.published = {p for p in self.published if p > head.position}
        return len(notifications)

    @property
    def position(self) -> int:
        """The highest position Kafka has acknowledged, with everything before it."""
        return self.head.position

    def _seal(self, head: ChainHead) -> FutureRecordMetadata:
        future = self.producer.send(
            self.chain_topic,
            key=SEAL_KEY,
            value=seal_value(head, datetime.now(UTC)),
            headers=SEAL_HEADERS,
            partition=0,
        )
        self.producer.flush()
        return future

    @staticmethod
    def _raise_if_failed(futures: list[FutureRecordMetadata]) -> None:
        failed = [future.exception for future in futures if future.failed()]
        if failed:
            raise RelayPublishError(f"{len(failed)} of {len(futures)} messages failed: {failed[0]}")

    def partition_for(self, topic: str, key: bytes) -> int:
        """Kafka's default keyed partitioning, computed here so start-up recovery agrees with it."""
        partitions = self._partitions.get(topic)
        if partitions is None:
            partitions = sorted(self.producer.partitions_for(topic))
            self._partitions[topic] = partitions
        return partitions[keyed_partition_index(key, len(partitions))]

    def check_against(self, tail: PublishedTail) -> None:
        """Refuse topics that do not belong to this store, or that have a hole to fill."""
        last_stored = self.ledger.recorder.max_notification_id() or 0
        if tail.highest > last_stored:
            raise RelayStateMismatch(
                f"Kafka holds position {tail.highest} but this event store ends at {last_stored}: "
                "the topics belong to another store (check LEDGER_TOPIC_PREFIX and the broker)"
            )
        if tail.empty and self.position > 0:
            raise RelayStateMismatch(
                f"the relay checkpoint is at position {self.position} but the ledger's topics "
                "are empty: the broker's data was reset; restore it or reset the checkpoint"
            )
        placement = self._placement(up_to=tail.highest)
        for tp, found in tail.positions.items():
            expected = {p for p, at in placement.items() if at == tp and found and p <= found[-1]}
            missing = expected - set(found)
            if missing:
                raise RelayStateMismatch(
                    f"{tp.topic}[{tp.partition}] lacks positions {sorted(missing)[:10]} that "
                    "precede ones it holds: publishing them now would reorder aggregates"
                )

    def _placement(self, up_to: int) -> dict[int, TopicPartition]:
        """Where each event after the checkpoint, up to `up_to`, belongs on Kafka."""
        if up_to <= self.position:
            return {}
        placement = {}
        for notification in self.ledger.recorder.select_notifications(
            start=self.position + 1, limit=up_to - self.position, stop=up_to
        ):
            message = self.encoder.encode(notification)
            topic = self.topics[message.aggregate_type]
            placement[notification.id] = TopicPartition(
                topic, self.partition_for(topic, message.key)
            )
        return placement

    def drain(self, on_progress: Callable[[int], None] | None = None) -> int:
        """Publish until the store has nothing more; returns how many events were covered."""
        total = 0
        while count := self.publish_batch():
            total += count
            if on_progress:
                on_progress(total)
        return total

    def run(self, stop: threading.Event, idle_wait_s: float = 0.2) -> None:
        """Tail the store until `stop` is set."""
        while not stop.is_set():
            if not self.publish_batch():
                stop.wait(idle_wait_s)

    def close(self) -> None:
        self.producer.close()
        if self.lock is not None:
            self.lock.release()


# murmur2 is pure Python and a partner's key recurs for every one of its events.
@lru_cache(maxsize=65536)
def keyed_partition_index(key: bytes, partition_count: int) -> int:
    """The Java client's keyed partitioning, so any Kafka client agrees on a key's partition."""
    index: int = (murmur2(key) & 0x7FFFFFFF) % partition_count
    return index
