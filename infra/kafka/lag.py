"""How far a consumer group is behind Kafka, per partition.

The group's positions are the offsets stored with its rows (``consumer_position``), not
Kafka's committed offsets, which only mirror them (asynchronously, so maybe behind). The ends
come from Kafka with short timeouts: a scrape or a dashboard page must answer, saying Kafka is
down, rather than wait for the client's 30-second defaults.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from sqlalchemy import Connection, select

from infra.kafka.clients import topic_partitions
from projections.schema import consumer_position

TIMEOUT_MS = 2000


class KafkaUnreachable(RuntimeError):
    """Kafka did not tell the end offsets in time."""


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    end_offset: int
    next_offset: int  # the group's stored position; 0 before it read anything

    @property
    def lag(self) -> int:
        return max(0, self.end_offset - self.next_offset)


class EndOffsets:
    """Reads the end offset of every partition of some topics, on one reused connection."""

    def __init__(self, bootstrap_servers: str, timeout_ms: int = TIMEOUT_MS) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.timeout_ms = timeout_ms
        self._consumer: KafkaConsumer | None = None
        # A KafkaConsumer is not thread-safe, and the API serves requests on several threads.
        self._lock = threading.Lock()

    def of(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        with self._lock:
            try:
                consumer = self._connected()
                partitions = topic_partitions(consumer, topics)
                ends: dict[TopicPartition, int] = consumer.end_offsets(
                    partitions, timeout_ms=self.timeout_ms
                )
            except KafkaError as error:
                self._drop()  # reconnect from scratch next time
                raise KafkaUnreachable(str(error)) from error
            return ends

    def _connected(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = KafkaConsumer(
                bootstrap_servers=self.bootstrap_servers,
                group_id=None,
                enable_auto_commit=False,
                bootstrap_timeout_ms=self.timeout_ms,
                request_timeout_ms=self.timeout_ms + 1000,
            )
        return self._consumer

    def _drop(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None

    def close(self) -> None:
        with self._lock:
            self._drop()


def consumer_lag(
    connection: Connection, group_id: str, ends: Mapping[TopicPartition, int]
) -> list[PartitionLag]:
    """Each partition's end offset against the position `group_id` stored with its rows."""
    stored = {
        (row.topic, row.partition): int(row.next_offset)
        for row in connection.execute(
            select(consumer_position).where(consumer_position.c.group_id == group_id)
        )
    }
    return [
        PartitionLag(tp.topic, tp.partition, end, stored.get((tp.topic, tp.partition), 0))
        for tp, end in sorted(ends.items(), key=lambda item: (item[0].topic, item[0].partition))
    ]
