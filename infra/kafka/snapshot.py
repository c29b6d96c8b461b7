"""Everything a set of topics holds right now, read from offset zero to each partition's end."""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer

from contracts.wire.chain_verify import PublishedRecord
from infra.kafka.clients import topic_partitions


class SnapshotTimeout(RuntimeError):
    """Kafka did not deliver a partition's records up to its end in time."""


def read_topics(
    bootstrap_servers: str,
    topics: list[str],
    timeout_s: float = 120.0,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, list[PublishedRecord]]:
    """Each topic's records, partition by partition in offset order (missing topics: empty)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        max_poll_records=5000,
        fetch_max_bytes=32 * 1024 * 1024,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    try:
        partitions = topic_partitions(consumer, topics)
        records: dict[str, list[PublishedRecord]] = {topic: [] for topic in topics}
        if not partitions:
            return records
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout_s
        read = 0
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise SnapshotTimeout(f"could not read {', '.join(topics)} to their ends in time")
            for tp, batch in consumer.poll(timeout_ms=500).items():
                records[tp.topic].extend(
                    PublishedRecord(tp.topic, tp.partition, r.offset, r.value)
                    for r in batch
                    if r.offset < ends[tp]
                )
                read += len(batch)
            if on_progress:
                on_progress(read)
        return records
    finally:
        consumer.close()
