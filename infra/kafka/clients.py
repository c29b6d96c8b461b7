"""Kafka client settings shared by the relay, the projector and the benchmarks.

The benchmark measures the raw client with exactly these settings, so a ratio against it
isolates the ledger's own overhead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import TopicAlreadyExistsError

# Events are kept forever: the topics are the auditors' copy of history.
TOPIC_CONFIG = {"retention.ms": "-1", "cleanup.policy": "delete"}


def topic_config(replication_factor: int) -> dict[str, str]:
    # With replicas, an acknowledged event must be on at least two of them.
    return {**TOPIC_CONFIG, "min.insync.replicas": str(min(2, replication_factor))}


def producer_settings() -> dict[str, Any]:
    # acks=all with idempotence (kafka-python's default): setting `acks` alone would silently
    # turn idempotence off. Ordering per partition holds with up to 5 requests in flight.
    return {
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_in_flight_requests_per_connection": 5,
        # Not above the broker's default message.max.bytes (1 MiB + 12): a record too large
        # for the broker is then refused by send() itself, before any later record is queued.
        # Refused by the broker instead, it would fail alone while later batches went on,
        # leaving a hole in its partition.
        "max_request_size": 1024 * 1024,
        # Never expire a batch: an expired batch followed by a later one that succeeds leaves
        # a hole in the partition. A relay facing an unavailable broker waits instead.
        "delivery_timeout_ms": 2**31 - 1,
        "request_timeout_ms": 30_000,
    }


def new_producer(bootstrap_servers: str) -> KafkaProducer:
    return KafkaProducer(bootstrap_servers=bootstrap_servers, **producer_settings())


def consumer_settings(group_id: str | None) -> dict[str, Any]:
    # Positions live in the projection's database, not in Kafka: auto-commit stays off.
    return {
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_poll_records": 2000,
        "fetch_max_bytes": 16 * 1024 * 1024,
        "max_partition_fetch_bytes": 4 * 1024 * 1024,
        # A member that dies without leaving (SIGKILL, a lost host) holds its partitions until
        # its session expires; kafka-python's default of 45 s stalled the group for that long
        # (found by tests/faults). 10 s, with heartbeats every 3 s, is the broker's usual
        # default and well inside the projector's 30 s wait for an assignment.
        "session_timeout_ms": 10_000,
        "heartbeat_interval_ms": 3_000,
    }


def new_consumer(
    bootstrap_servers: str, group_id: str | None, client_id: str | None = None
) -> KafkaConsumer:
    named = {"client_id": client_id} if client_id else {}
    return KafkaConsumer(
        bootstrap_servers=bootstrap_servers, **consumer_settings(group_id), **named
    )


def ensure_topics(
    bootstrap_servers: str, names: list[str], partitions: int, replication_factor: int
) -> list[str]:
    """Create the ledger's topics if missing; returns the names it created."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15_000)
    try:
        existing = set(admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            # Another process may create a topic between our listing and our request.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    {
                        name: {
                            "num_partitions": partitions,
                            "replication_factor": replication_factor,
                            "configs": topic_config(replication_factor),
                        }
                        for name in missing
                    }
                )
        return missing
    finally:
        admin.close()


def topic_partitions(consumer: KafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    """Every partition the consumer's metadata knows for `topics`, in topic then number order
    (none for a topic it does not know yet)."""
    return [
        TopicPartition(topic, partition)
        for topic in topics
        for partition in sorted(consumer.partitions_for_topic(topic) or ())
    ]
