"""What Kafka already holds beyond the relay's checkpoint, according to Kafka itself.

Reads each partition backwards from its end, in growing windows, until it reaches an envelope
at or below the checkpoint (or the partition's beginning). Only the positions it finds there are
"already published"; everything else after the checkpoint still has to be sent.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition

from infra.kafka.clients import topic_partitions

FIRST_WINDOW = 512


class TailReadTimeout(RuntimeError):
    """Kafka did not return a partition's records in time."""


@dataclass
class PublishedTail:
    """Positions found on Kafka after the checkpoint, per partition, and the highest overall."""

    positions: dict[TopicPartition, list[int]] = field(default_factory=dict)
    highest: int = 0
    empty: bool = True

    def published(self) -> set[int]:
        return {p for found in self.positions.values() for p in found}


def published_after(
    bootstrap_servers: str, topics: list[str], checkpoint: int, timeout_s: float = 30.0
) -> PublishedTail:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        tail = PublishedTail()
        deadline = time.monotonic() + timeout_s
        for tp in topic_partitions(consumer, topics):
            begin = consumer.beginning_offsets([tp])[tp]
            end = consumer.end_offsets([tp])[tp]
            if end > begin:
                tail.empty = False
                found, highest = _read_back(consumer, tp, begin, end, checkpoint, deadline)
                tail.positions[tp] = sorted(found)
                tail.highest = max(tail.highest, highest)
        return tail
    finally:
        consumer.close()


def _read_back(
    consumer: KafkaConsumer,
    tp: TopicPartition,
    begin: int,
    end: int,
    checkpoint: int,
    deadline: float,
) -> tuple[list[int], int]:
    found: list[int] = []
    highest = 0
    window = FIRST_WINDOW
    stop = end
    while stop > begin:
        start = max(begin, stop - window)
        positions = _read_range(consumer, tp, start, stop, deadline)
        if stop == end and positions:
            highest = positions[-1]
        found += [p for p in positions if p > checkpoint]
        if positions and positions[0] <= checkpoint:
            break
        stop, window = start, window * 2
    return found, highest


def _read_range(
    consumer: KafkaConsumer, tp: TopicPartition, start: int, stop: int, deadline: float
) -> list[int]:
    consumer.assign([tp])
    consumer.seek(tp, start)
    positions: list[int] = []
    while consumer.position(tp) < stop:
        if time.monotonic() > deadline:
            raise TailReadTimeout(
                f"could not read {tp.topic}[{tp.partition}] back to offset {start}"
            )
        for record in consumer.poll(timeout_ms=500).get(tp, []):
            position = _position(record.value) if record.offset < stop else None
            if position is not None:
                positions.append(position)
    return positions


def _position(value: bytes) -> int | None:
    """The envelope's global position; None for a message the relay did not write."""
    try:
        position = json.loads(value)["position"]
    except (ValueError, TypeError, KeyError):
        return None
    return position if isinstance(position, int) else None
