"""The relay: publishes the event store's notification log to Kafka, in order, once.

Why nothing is lost: the relay reads notifications strictly after its checkpoint, in
notification-id order (on PostgreSQL the recorder's table lock makes commit order equal id
order, so a reader never overtakes a commit), and it advances the checkpoint only after Kafka
has acknowledged every message of the batch (acks=all).

Why nothing is doubled after a crash: a crash between Kafka's acknowledgement and the
checkpoint write would make a naive relay send the batch again. Instead, at start-up the relay
asks Kafka itself what it already holds: the global position carried by the last envelope of
each partition. Every event's partition is a pure function of its key, and within a partition
positions only grow (one relay, idempotent producer, at most 5 requests in flight, so retries
never reorder), so an event is already on Kafka exactly when its position is at or below its
partition's tail. Those are skipped. The checkpoint is then only a shortcut for where to start
reading, never the source of truth. Kafka transactions are not needed for this argument.

Assumption that a later issue must enforce: one relay process per event store at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache

from kafka import KafkaProducer, TopicPartition
from kafka.partitioner.default import murmur2

from contracts.catalog import AGGREGATE_TYPES, topic_name
from domain.ledger import Ledger
from infra.relay_checkpoint import RelayCheckpoint
from infra.stored_event_encoder import StoredEventEncoder


class RelayPublishError(RuntimeError):
    """Kafka refused or failed to acknowledge part of a batch; the checkpoint did not move."""


class Relay:
    """Moves events from the store to Kafka, batch by batch."""

    def __init__(
        self,
        ledger: Ledger,
        producer: KafkaProducer,
        checkpoint: RelayCheckpoint,
        topic_prefix: str,
        published_tails: dict[TopicPartition, int],
        batch_size: int = 2000,
    ) -> None:
        self.ledger = ledger
        self.producer = producer
        self.checkpoint = checkpoint
        self.topics = {kind: topic_name(topic_prefix, kind) for kind in AGGREGATE_TYPES}
        self.published_tails = published_tails
        self.batch_size = batch_size
        self.encoder = StoredEventEncoder(ledger.mapper)
        self.position = checkpoint.load()
        self._partitions: dict[str, list[int]] = {}

    def publish_batch(self) -> int:
        """Publish the next batch of stored events; returns how many notifications it covered."""
        notifications = self.ledger.recorder.select_notifications(
            start=self.position + 1, limit=self.batch_size
        )
        if not notifications:
            return 0
        futures = []
        for notification in notifications:
            message = self.encoder.encode(notification)
            topic = self.topics[message.aggregate_type]
            partition = self.partition_for(topic, message.key)
            if notification.id <= self.published_tails.get(TopicPartition(topic, partition), 0):
                continue  # Kafka already holds it: published before a crash, checkpoint lost
            futures.append(
                self.producer.send(
                    topic,
                    key=message.key,
                    value=message.value,
                    headers=message.headers,
                    partition=partition,
                )
            )
        self.producer.flush()
        failed = [future.exception for future in futures if future.failed()]
        if failed:
            raise RelayPublishError(f"{len(failed)} of {len(futures)} messages failed: {failed[0]}")
        self.position = notifications[-1].id
        self.checkpoint.save(self.position)
        return len(notifications)

    def partition_for(self, topic: str, key: bytes) -> int:
        """Kafka's default keyed partitioning, computed here so start-up recovery agrees with it."""
        partitions = self._partitions.get(topic)
        if partitions is None:
            partitions = sorted(self.producer.partitions_for(topic))
            self._partitions[topic] = partitions
        return partitions[keyed_partition_index(key, len(partitions))]

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


# murmur2 is pure Python and a partner's key recurs for every one of its events.
@lru_cache(maxsize=65536)
def keyed_partition_index(key: bytes, partition_count: int) -> int:
    """The Java client's keyed partitioning, so any Kafka client agrees on a key's partition."""
    index: int = (murmur2(key) & 0x7FFFFFFF) % partition_count
    return index
