"""Reads the last envelope of every partition: what Kafka already holds, according to Kafka."""

from __future__ import annotations

import json
import time

from kafka import KafkaConsumer, TopicPartition


class TailReadTimeout(RuntimeError):
    """Kafka did not return a partition's last record in time."""


def last_positions(
    bootstrap_servers: str, topics: list[str], timeout_s: float = 30.0
) -> dict[TopicPartition, int]:
    """Global position of the last event on each non-empty partition of the given topics."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        partitions = _partitions(consumer, topics)
        if not partitions:
            return {}
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        wanted = {tp: end - 1 for tp, end in ends.items() if end > 0}
        for tp, offset in wanted.items():
            consumer.seek(tp, offset)
        return _read_last_records(consumer, wanted, timeout_s)
    finally:
        consumer.close()


def _partitions(consumer: KafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    found = []
    for topic in topics:
        for partition in sorted(consumer.partitions_for_topic(topic) or ()):
            found.append(TopicPartition(topic, partition))
    return found


def _read_last_records(
    consumer: KafkaConsumer, wanted: dict[TopicPartition, int], timeout_s: float
) -> dict[TopicPartition, int]:
    positions: dict[TopicPartition, int] = {}
    deadline = time.monotonic() + timeout_s
    while len(positions) < len(wanted):
        if time.monotonic() > deadline:
            missing = sorted(str(tp) for tp in wanted if tp not in positions)
            raise TailReadTimeout(f"could not read the last record of {', '.join(missing)}")
        for tp, records in consumer.poll(timeout_ms=500).items():
            for record in records:
                if record.offset == wanted.get(tp):
                    positions[tp] = int(json.loads(record.value)["position"])
    return positions
