"""The projector: a consumer group that folds published events into projection tables.

Each poll's records are projected in one SQL transaction that also stores the next offset of
every partition they came from. Kafka's own committed offsets are never read (auto-commit is
off): on start and after every rebalance the consumer seeks to the offsets stored with the
rows, so a crash at any point leaves rows and positions in agreement, and records below the
stored offset are skipped. A group member also commits each transaction's offsets to Kafka
afterwards (consumers.group_offsets), for the lag tools only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from sqlalchemy import Connection, Engine

from consumers import dead_letters
from consumers.collector_pacing import collecting_less_often
from consumers.dead_letters import DeadLetter, DeadLetterSink
from consumers.group_offsets import GroupOffsetMirror
from consumers.positions import load_position, save_position
from contracts.wire.codec import UndecodableMessage, decode
from contracts.wire.envelope import Envelope

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
        # Only a group member mirrors its offsets to Kafka: a replay (start_alone, or fed by
        # a reader of its own) has no group, and must not appear as one.
        self.kafka_offsets: GroupOffsetMirror | None = None

    def start(self, metadata_timeout_s: float = 30.0) -> None:
        """Join the group once the broker knows every topic's partitions.

        Subscribing to a topic created a moment ago can otherwise yield a first assignment
        without it, and a drain would finish before ever reading that topic.
        """
        self._wait_for_partitions(metadata_timeout_s)
        self.consumer.subscribe(self.topics, listener=_SeekToStoredPositions(self))
        self.kafka_offsets = GroupOffsetMirror(self.consumer)

    def start_alone(self, metadata_timeout_s: float = 30.0) -> None:
        """Read every partition of the topics without joining a consumer group.

        For a projector that is by construction the only member of its group (a replay into a
        database of its own): no group join, no rebalance. Positions still come from, and go
        to, the database with the rows, exactly as under `start`.
        """
        partitions = self._wait_for_partitions(metadata_timeout_s)
        self.consumer.assign(partitions)
        self.seek_to_stored_positions(partitions)

    def partitions(self, timeout_s: float = 30.0) -> list[TopicPartition]:
        """Every partition of the projector's topics, once the broker knows them all."""
        return self._wait_for_partitions(timeout_s)

    def _wait_for_partitions(self, timeout_s: float) -> list[TopicPartition]:
        deadline = time.monotonic() + timeout_s
        while not all(self.consumer.partitions_for_topic(topic) for topic in self.topics):
            if time.monotonic() > deadline:
                raise ProjectionError(f"no partition metadata for {', '.join(self.topics)}")
            time.sleep(0.1)
        return [
            TopicPartition(topic, partition)
            for topic in self.topics
            for partition in sorted(self.consumer.partitions_for_topic(topic))
        ]

    def seek_to_stored_positions(self, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            offset = self.stored_position(tp)
            if offset is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, offset)

    def poll_once(self, timeout_ms: int = 500) -> int:
        """Project whatever one poll returns; returns the number of records projected."""
        polled = self.consumer.poll(timeout_ms=timeout_ms)
        count = self.project_polled(polled) if polled else 0
        self.projected += count
        return count

    def project_records(self, tp: TopicPartition, records: list) -> int:  # type: ignore[type-arg]
        return self.project_polled({tp: records})

    def project_polled(self, polled: Mapping[TopicPartition, list]) -> int:  # type: ignore[type-arg]
        """Project one poll's records, every partition of it in one SQL transaction.

        Each partition's next offset is stored in that same transaction, so rows and offsets
        commit together. One transaction per poll rather than per partition: fewer commits
        and larger statements. Partitions are locked in a fixed order, so two group members
        briefly sharing partitions during a rebalance cannot deadlock on PostgreSQL. Events of
        one aggregate share a partition (the key), so their order is kept; across partitions
        the projections never depended on an order.
        """
        count = 0
        with self.engine.begin() as connection:
            envelopes: list[Envelope] = []
            letters: list[DeadLetter] = []
            moved: list[tuple[TopicPartition, int, bool]] = []
            for tp in sorted(polled, key=lambda tp: (tp.topic, tp.partition)):
                stored = load_position(connection, self.group_id, tp)
                fresh = [r for r in polled[tp] if stored is None or r.offset >= stored]
                if not fresh:
                    continue
                self._decode_all(tp, fresh, envelopes, letters)
                moved.append((tp, fresh[-1].offset + 1, stored is not None))
                count += len(fresh)
            if envelopes:
                self.handler(connection, envelopes)
            if letters and self.dead_letters is not None:  # without a sink, decoding raised
                dead_letters.record(connection, self.group_id, letters)
                self.dead_letters.send(letters)
            for tp, next_offset, existed in moved:
                save_position(connection, self.group_id, tp, next_offset, existed)
        # After the SQL commit, never before: Kafka may lag the database, never lead it.
        if self.kafka_offsets is not None:
            self.kafka_offsets.commit({tp: next_offset for tp, next_offset, _ in moved})
        return count

    def _decode_all(
        self,
        tp: TopicPartition,
        records: list[Any],
        envelopes: list[Envelope],
        letters: list[DeadLetter],
    ) -> None:
        """Append the decoded envelopes in order, and the records that could not be decoded."""
        for record in records:
            try:
                envelopes.append(decode(record.value))
            except UndecodableMessage as error:
                if self.dead_letters is None:
                    raise ProjectionError(
                        f"{tp.topic}[{tp.partition}]@{record.offset}: {error}"
                    ) from error
                letters.append(DeadLetter(tp, record.offset, record.key, record.value, str(error)))

    def stored_position(self, tp: TopicPartition) -> int | None:
        with self.engine.connect() as connection:
            return load_position(connection, self.group_id, tp)

    def drain(
        self,
        assignment_timeout_s: float = 30.0,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Project until every partition of the topics is projected up to its end at the start.

        Every partition counts, not only the assigned ones: a member that joins while a
        SIGKILLed member still holds partitions (until its session times out) is assigned
        only part of the topics, and finishing on those alone would leave the rest unread.
        A partition this member is not assigned is done once the group's stored position
        (SQL, written by whichever member projected it) reaches the end. Ends are taken once,
        at the start: a drain finishes even while writers keep appending.
        """
        with collecting_less_often():
            return self._drain(assignment_timeout_s, on_progress)

    def _drain(self, assignment_timeout_s: float, on_progress: Callable[[int], None] | None) -> int:
        deadline = time.monotonic() + assignment_timeout_s
        before = self.projected
        targets = self._ends_to_reach(self._wait_for_partitions(assignment_timeout_s))
        while True:
            assignment = self.consumer.assignment()
            if assignment and self._reached(targets, assignment):
                return self.projected - before
            if not assignment and time.monotonic() > deadline:
                raise ProjectionError(
                    f"no partitions of {', '.join(self.topics)} assigned to group "
                    f"{self.group_id!r} within {assignment_timeout_s:.0f}s"
                )
            if self.poll_once(timeout_ms=200) and on_progress:
                on_progress(self.projected - before)

    def _ends_to_reach(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        """Each partition's end offset, leaving out those with nothing to read.

        A partition whose log starts at its end (empty, or emptied by retention) has no record
        that could ever move a stored position there, so waiting for one would never end.
        """
        ends = self.consumer.end_offsets(partitions)
        starts = self.consumer.beginning_offsets(partitions)
        return {tp: end for tp, end in ends.items() if end > starts[tp]}

    def _reached(self, targets: dict[TopicPartition, int], assignment: set[TopicPartition]) -> bool:
        """Whether every target is reached: by this member's position, or else in SQL."""
        elsewhere = []
        for tp, end in targets.items():
            if tp not in assignment:
                elsewhere.append((tp, end))
            elif self.consumer.position(tp) < end:
                return False
        # Only once this member's own partitions are done: one query for the rest.
        for tp, end in elsewhere:
            stored = self.stored_position(tp)
            if stored is None or stored < end:
                return False
        return True

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll_once(timeout_ms=200)

    def close(self) -> None:
        if self.kafka_offsets is not None:
            self.kafka_offsets.flush()
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
        self.projector.seek_to_stored_positions(assigned)
