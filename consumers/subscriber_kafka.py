"""The Kafka clients a subscriber needs, configured for positions kept in SQL."""

from __future__ import annotations

import contextlib

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import TopicAlreadyExistsError


def subscriber_consumer(
    bootstrap_servers: str, group_id: str, max_poll_records: int = 500
) -> KafkaConsumer:
    # Positions are stored with the subscriber's rows: Kafka's committed offsets are written
    # only for the lag tools (consumers.group_offsets) and never read, so auto-commit stays off.
    return KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_poll_records,
    )


def dead_letter_producer(bootstrap_servers: str) -> KafkaProducer:
    # Idempotent with acks=all (setting acks alone would silently turn idempotence off).
    return KafkaProducer(bootstrap_servers=bootstrap_servers, enable_idempotence=True, acks="all")


def ensure_topic(bootstrap_servers: str, name: str, replication_factor: int = 1) -> None:
    """Create a topic the subscriber owns (its dead-letter topic) if it does not exist.

    One partition keeps dead letters in the order they were set aside. In production, create
    the topic beforehand with the replication the cluster needs.
    """
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15_000)
    try:
        if name in set(admin.list_topics()):
            return
        # Another member of the group may create it between our listing and our request.
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(
                {name: {"num_partitions": 1, "replication_factor": replication_factor}}
            )
    finally:
        admin.close()
