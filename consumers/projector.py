"""The projector: a consumer group that folds published events into projection tables.

Each partition's batch is projected in one SQL transaction that also stores the partition's
next offset. Kafka's own committed offsets are never used (auto-commit is off): on start and
after every rebalance the consumer seeks to the offsets stored with the rows, so a crash at any
point leaves rows and positions in agreement, and records below the stored offset are skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from sqlalchemy import Connection, Engine

from consumers import dead_letters
from consumers.dead_letters import DeadLetter, DeadLetterSink
from consumers.positions import load_position, save_position
from contracts.codec import UndecodableMessage, decode
from contracts.envelope import Envelope

BatchHandler = Callable[[Connection, list[Envelope]], None]


class ProjectionError(RuntimeError):
    """A message could not be projected; names its topic, partition and offset."""


class Projector:
    def __init__(
        self,
        consumer: KafkaConsumer,
        engine: Engine,
        group_id: str,
        topics: list[str],
        handler: BatchHandler,
        dead_letters: DeadLetterSink | None = None,
    ) -> None:
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.engine = engine
        self.group_id = group_id
        self.topics = topics
        self.handler = handler
        self.projected = 0

    def start(self, metadata_timeout_s: float = 30.0) -> None:
        """Join the group once the broker knows every topic's partitions.

        Subscribing to a topic created a moment ago can otherwise yield a first assignment
        without it, and a drain would finish before ever reading that topic.
        """
        deadline = time.monotonic() + metadata_timeout_s
        while not all(self.consumer.partitions_for_topic(topic) for topic in self.topics):
            if time.monotonic() > deadline:
                raise ProjectionError(f"no partition metadata for {', '.join(self.topics)}")
            time.sleep(0.1)
        self.consumer.subscribe(self.topics, listener=_SeekToStoredPositions(self))

    def poll_once(self, timeout_ms: int = 500) -> int:
        """Project whatever one poll returns; returns the number of records projected."""
        count = 0
        for tp, records in self.consumer.poll(timeout_ms=timeout_ms).items():
            count += self.project_records(tp, records)
        self.projected += count
        return count

    def project_records(self, tp: TopicPartition, records: list) -> int:  # type: ignore[type-arg]
        with self.engine.begin() as connection:
            stored = load_position(connection, self.group_id, tp)
            fresh = [r for r in records if stored is None or r.offset >= stored]
            if not fresh:
                return 0
            envelopes, letters = self._decode_all(tp, fresh)
            if envelopes:
                self.handler(connection, envelopes)
            if letters and self.dead_letters is not None:  # without a sink, decoding raised
                dead_letters.record(connection, self.group_id, letters)
                self.dead_letters.send(letters)
            save_position(connection, self.group_id, tp, fresh[-1].offset + 1, stored is not None)
        return len(fresh)

    def _decode_all(
        self, tp: TopicPartition, records: list[Any]
    ) -> tuple[list[Envelope], list[DeadLetter]]:
        """Decoded envelopes in order, and the records that could not be decoded."""
        envelopes: list[Envelope] = []
        letters: list[DeadLetter] = []
        for record in records:
            try:
                envelopes.append(decode(record.value))
            except UndecodableMessage as error:
                if self.dead_letters is None:
                    raise ProjectionError(
                        f"{tp.topic}[{tp.partition}]@{record.offset}: {error}"
                    ) from error
                letters.append(DeadLetter(tp, record.offset, record.key, record.value, str(error)))
        return envelopes, letters

    def stored_position(self, tp: TopicPartition) -> int | None:
        with self.engine.connect() as connection:
            return load_position(connection, self.group_id, tp)

    def drain(
        self,
        assignment_timeout_s: float = 30.0,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Project until every assigned partition is read up to its end as of the assignment.

        Ends are taken once per assignment, not per poll: a drain finishes even while
        writers keep appending, and costs no extra round trip per batch.
        """
        deadline = time.monotonic() + assignment_timeout_s
        before = self.projected
        targets: dict[TopicPartition, int] = {}
        while True:
            assignment = self.consumer.assignment()
            if assignment != set(targets):
                targets = self.consumer.end_offsets(list(assignment)) if assignment else {}
            if targets and all(self.consumer.position(tp) >= end for tp, end in targets.items()):
                return self.projected - before
            if not assignment and time.monotonic() > deadline:
                raise ProjectionError(
                    f"no partitions of {', '.join(self.topics)} assigned to group "
                    f"{self.group_id!r} within {assignment_timeout_s:.0f}s"
                )
            if self.poll_once(timeout_ms=200) and on_progress:
                on_progress(self.projected - before)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll_once(timeout_ms=200)

    def close(self) -> None:
        self.consumer.close()
        if self.dead_letters is not None:
            self.dead_letters.close()


class _SeekToStoredPositions(ConsumerRebalanceListener):  # type: ignore[misc]
    """After every assignment, resume each partition where the database says, not Kafka."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        pass  # nothing buffered: every poll's records are committed to SQL before the next poll

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        consumer = self.projector.consumer
        for tp in assigned:
            offset = self.projector.stored_position(tp)
            if offset is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, offset)
