"""The relay: publishes the event store's notification log to Kafka, in order, once.

Why nothing is lost: the relay reads notifications strictly after its checkpoint, in
notification-id order (on PostgreSQL the recorder's table lock makes commit order equal id
order, so a reader never overtakes a commit), and it advances the checkpoint only after Kafka
has acknowledged every message of the batch (acks=all).

Why nothing is doubled after a crash: a crash between Kafka's acknowledgement and the
checkpoint write would make a naive relay send the batch again. Instead, at start-up the relay
asks Kafka itself what it holds after the checkpoint: it reads every partition back from its end
to the first envelope at or below the checkpoint (infra.relay.tails) and skips exactly the
positions it found. Kafka transactions are not needed for this argument.

Why nothing is reordered: every event's partition is a pure function of its key; one relay runs
per store (infra.relay.lock); the producer is idempotent with at most 5 requests in flight, so
retries never reorder; and batches never expire in the producer (delivery timeout effectively
unbounded, see infra.kafka.clients), because an expired batch followed by a later one that
succeeds would leave a hole in a partition. Should a hole ever be found at start-up, the relay
refuses to fill it out of order (RelayStateMismatch) rather than reorder an aggregate's events.

Why tampering shows: each envelope carries the hash of its predecessor's message value in the
global order, and after each acknowledged batch a seal on `<prefix>.chain` records the head
(contracts.wire.chain). The chain is a pure function of the store: the encoding is deterministic and
the checkpoint keeps the head, so events re-sent or skipped after a crash carry the same links.

Why forging needs the key: the relay also keeps an RFC 6962 Merkle log over the events (the
frontier travels with the chain head and is checkpointed with it), and after each acknowledged
batch it publishes, beside the seal, a C2SP checkpoint of the tree signed with its Ed25519 key
(contracts.wire.checkpoint). Seals can be recomputed by anyone who can write the topics; a
checkpoint cannot, without the key. Signing costs one signature per batch.

Why the checkpoint may lag: it is a lower bound of what Kafka holds, never more. Start-up reads
back whatever lies beyond it, so writing it once a second while a backlog is published (and
whenever the relay catches up) costs a longer read-back after a crash, nothing else.

Why the topics belong to this store: at start-up a position on Kafka beyond the store's last
event, or empty topics behind a non-zero checkpoint, mean the topics and the store have been
mixed up (a reset broker, a reset store, two stores sharing a prefix); the relay refuses both.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from kafka import KafkaProducer, TopicPartition
from kafka.errors import KafkaTimeoutError
from kafka.producer.future import FutureRecordMetadata

from contracts.wire.catalog import AGGREGATE_TYPES, chain_topic_name, topic_name
from contracts.wire.chain import SEAL_HEADERS, SEAL_KEY, ChainHead, seal_value
from contracts.wire.checkpoint import (
    CHECKPOINT_HEADERS,
    CHECKPOINT_KEY,
    Checkpoint,
    signed_checkpoint,
)
from contracts.wire.merkle import Frontier
from contracts.wire.signed_note import Signer
from domain.ledger import Ledger
from infra.kafka.partitioning import keyed_partition_index
from infra.relay.batches import BatchEncoder
from infra.relay.checkpoint import RelayCheckpoint
from infra.relay.cloudevents import default_source
from infra.relay.encoder import StoredEventEncoder
from infra.relay.feed import Feed, InlineFeed
from infra.relay.lock import RelayLock
from infra.relay.log_state import with_frontier
from infra.relay.tails import PublishedTail

# Batches handed to the producer before the relay waits for the oldest to be acknowledged.
MAX_BATCHES_IN_FLIGHT = 3
# While publishing a backlog, the checkpoint is written at most this often (and whenever the
# relay catches up): it may lag what Kafka holds, which start-up recovery reads back anyway.
CHECKPOINT_INTERVAL_S = 1.0
# How long closing waits for records already handed to the producer.
CLOSE_TIMEOUT_S = 30.0


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
        feed: Feed | None = None,
        cloudevents_source: str | None = None,
        signer: Signer | None = None,
        origin: str | None = None,
    ) -> None:
        self.ledger = ledger
        self.lock = lock
        self.producer = producer
        self.checkpoint = checkpoint
        self.topics = {kind: topic_name(topic_prefix, kind) for kind in AGGREGATE_TYPES}
        self.chain_topic = chain_topic_name(topic_prefix)
        # Without a signer (tools and tests that build a relay by hand) no checkpoint is sent.
        self.signer = signer
        self.origin = origin or f"channel-ledger/{topic_prefix}"
        self.head = checkpoint.load()
        self.published = published
        self.batch_size = batch_size
        self.encoder = StoredEventEncoder(ledger.mapper)
        self._partitions: dict[str, list[int]] = {}
        self.cloudevents_source = cloudevents_source or default_source(topic_prefix)
        self.feed: Feed = feed or InlineFeed(self._batch_encoder())
        self._requested = False
        self._sent_head = self.head
        self._saved = self.head
        self._saved_at = time.monotonic()
        self._in_flight: deque[tuple[ChainHead, list[FutureRecordMetadata]]] = deque()

    def _batch_encoder(self) -> BatchEncoder:
        return BatchEncoder(
            self.ledger.recorder,
            self.ledger.mapper,
            self.partition_counts(),
            self.batch_size,
            self.cloudevents_source,
        )

    def restore_log(self) -> None:
        """Give a head checkpointed before the Merkle log existed its frontier (once)."""
        if self.head.tracks_log:
            return
        self.head = self._sent_head = with_frontier(self.head, self._batch_encoder())
        self.checkpoint.save(self.head)
        self._saved = self.head

    def publish_batch(self) -> int:
        """Send the next batch of stored events; returns how many notifications it covered.

        Batches are pipelined: a batch is handed to the producer while earlier ones are still
        being acknowledged, and each is sealed and checkpointed once all its records are
        acknowledged (the producer's idempotence keeps them in order per partition). When
        the store has nothing more, everything in flight is flushed and settled, and 0 is
        returned: after that, Kafka holds every event up to `position`.
        """
        if not self._requested:
            self.feed.request(self._sent_head)
        batch = self.feed.receive()
        self._requested = False
        if not batch.records:
            self._settle(everything=True)
            return 0
        # Ask for the next batch now: it is encoded while this one is sent and acknowledged.
        self.feed.request(batch.head)
        self._requested = True
        topics = [self.topics[kind] for kind in AGGREGATE_TYPES]
        published = self.published
        send = self.producer.send
        futures = [
            send(topics[kind], key=key, value=value, headers=headers, partition=partition)
            for position, kind, partition, key, value, headers in batch.records
            # Kafka already holds it: published before a crash, checkpoint lost
            if position not in published
        ]
        self._in_flight.append((batch.head, futures))
        self._sent_head = batch.head
        self._settle(everything=False)
        return len(batch.records)

    def _settle(self, everything: bool) -> None:
        """Seal and checkpoint the batches Kafka has acknowledged, oldest first.

        With `everything`, flush and settle all; otherwise wait only when more than
        MAX_BATCHES_IN_FLIGHT are outstanding, for the oldest.
        """
        if everything:
            self.producer.flush()
        while self._in_flight:
            head, futures = self._in_flight[0]
            if len(self._in_flight) > MAX_BATCHES_IN_FLIGHT:
                _wait_for(futures)
            elif not all(future.is_done for future in futures):
                break
            self._raise_if_failed(futures)
            self._in_flight.popleft()
            # The seal goes out only once the events it vouches for are acknowledged, so a
            # seal on Kafka never names an event Kafka lacks.
            self.seal(head)
            self.head = head
            if self.published:
                self.published = {p for p in self.published if p > head.position}
        if everything or time.monotonic() - self._saved_at >= CHECKPOINT_INTERVAL_S:
            self._save_checkpoint()
        if everything:
            self.producer.flush()  # the last seal

    def _save_checkpoint(self) -> None:
        if self.head != self._saved:
            self.checkpoint.save(self.head)
            self._saved = self.head
        self._saved_at = time.monotonic()

    def seal(self, head: ChainHead) -> None:
        """Publish a seal on `head` (sent with the next records, or by the next flush)."""
        self.producer.send(
            self.chain_topic,
            key=SEAL_KEY,
            value=seal_value(head, datetime.now(UTC)),
            headers=SEAL_HEADERS,
            partition=0,
        )

        self.publish_checkpoint(head)

    def publish_checkpoint(self, head: ChainHead) -> None:
        """Publish the Merkle log's signed checkpoint at `head` (with its seal)."""
        if self.signer is None or not head.tracks_log:
            return
        root = Frontier(head.count, head.frontier).root()
        self.producer.send(
            self.chain_topic,
            key=CHECKPOINT_KEY,
            value=signed_checkpoint(Checkpoint(self.origin, head.count, root), self.signer),
            headers=CHECKPOINT_HEADERS,
            partition=0,
        )

    def reseal(self) -> None:
        """Seal the checkpoint's head again at start-up: a relay killed between its last
        checkpoint and that seal's delivery would otherwise leave the tail unsealed."""
        if self.head.position > 0:
            self.seal(self.head)  # with its checkpoint
            self.producer.flush()

    @property
    def position(self) -> int:
        """The highest position Kafka has acknowledged, with everything before it."""
        return self.head.position

    def partition_counts(self) -> dict[str, int]:
        return {kind: len(self._partitions_of(topic)) for kind, topic in self.topics.items()}

    @staticmethod
    def _raise_if_failed(futures: list[FutureRecordMetadata]) -> None:
        failed = [future.exception for future in futures if future.failed()]
        if failed:
            raise RelayPublishError(f"{len(failed)} of {len(futures)} messages failed: {failed[0]}")

    def partition_for(self, topic: str, key: bytes) -> int:
        """Kafka's default keyed partitioning, computed here so start-up recovery agrees with it."""
        partitions = self._partitions_of(topic)
        return partitions[keyed_partition_index(key, len(partitions))]

    def _partitions_of(self, topic: str) -> list[int]:
        partitions = self._partitions.get(topic)
        if partitions is None:
            partitions = sorted(self.producer.partitions_for(topic))
            if partitions != list(range(len(partitions))):
                raise RelayStateMismatch(f"{topic} has partitions {partitions}, not 0..n-1")
            self._partitions[topic] = partitions
        return partitions

    def check_against(self, tail: PublishedTail) -> None:
        """Refuse topics that do not belong to this store, that have a hole to fill, or whose
        partition counts changed since events were placed on them."""
        self._check_placement(published_before=self.head.position > 0 or not tail.empty)
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

    def _check_placement(self, published_before: bool) -> None:
        current = ",".join(f"{kind}={n}" for kind, n in sorted(self.partition_counts().items()))
        recorded = self.checkpoint.placement()
        # Kafka may hold events beyond a checkpoint still at zero (it is written lazily).
        if recorded is not None and recorded != current and published_before:
            raise RelayStateMismatch(
                f"the ledger's topics now have partitions {current} but events were placed "
                f"for {recorded}: keys would move and per-aggregate order would break. Restore "
                "the partition counts, or relay this store to new topics (a new prefix)"
            )
        if recorded != current:
            self.checkpoint.record_placement(current)

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

    # How long a caught-up relay waits before asking the store again: the floor of
    # command-to-Kafka latency. A poll is one indexed query; 40 a second cost nothing.
    IDLE_WAIT_S = 0.025

    def run(self, stop: threading.Event, idle_wait_s: float = IDLE_WAIT_S) -> None:
        """Tail the store until `stop` is set."""
        while not stop.is_set():
            if not self.publish_batch():
                stop.wait(idle_wait_s)

    def close(self) -> None:
        try:
            self.feed.close()
            # Wait for records already handed over, but not forever: with the broker gone they
            # stay unacknowledged, and the next start reads back whatever did arrive.
            with contextlib.suppress(KafkaTimeoutError):
                self.producer.close(timeout=CLOSE_TIMEOUT_S)
            self._save_checkpoint()  # the head is acknowledged: keep the read-back short
        finally:
            if self.lock is not None:
                self.lock.release()


def _wait_for(futures: list[FutureRecordMetadata]) -> None:
    for future in futures:
        if not future.is_done:
            # A failure is reported with the others by Relay._raise_if_failed.
            with contextlib.suppress(Exception):
                future.get()
