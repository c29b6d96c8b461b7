"""Durable progress of the relay and the projector, read from where they keep it.

The relay's checkpoint and the projector's stored offsets are what a restarted process resumes
from, so they are the progress that matters. Both tables are created here before any process
starts: a reader must never race a process creating its table.
"""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine, create_engine, func, select

from contracts.wire.chain import ChainHead
from infra.kafka.clients import topic_partitions
from infra.kafka.topics import ledger_topics, prepare_chain_topic, prepare_topics
from infra.relay.checkpoint import RelayCheckpoint
from infra.settings import Settings
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db
from projections.schema import consumer_position

METADATA_TIMEOUT_S = 30.0


class RelayProgress:
    """The relay's checkpoint, and how many of the ledger's messages Kafka holds."""

    def __init__(self, settings: Settings) -> None:
        prepare_topics(settings)
        prepare_chain_topic(settings)
        self.engine: Engine = create_engine(sqlalchemy_url(settings.event_store_url))
        self.checkpoint = RelayCheckpoint(self.engine)
        self.consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
        self.partitions = _partitions(self.consumer, ledger_topics(settings))

    def head(self) -> ChainHead:
        return self.checkpoint.load()

    def position(self) -> int:
        return self.head().position

    def held_on_kafka(self) -> int:
        """Messages on the ledger's topics (every event once, if all is well)."""
        return sum(self.consumer.end_offsets(self.partitions).values())

    def ahead_of_checkpoint(self) -> int:
        """Events Kafka acknowledged that the checkpoint does not cover: what a restart must
        find on Kafka and skip rather than send again."""
        return self.held_on_kafka() - self.head().count

    def close(self) -> None:
        self.consumer.close()
        self.engine.dispose()


def _partitions(consumer: KafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    # Topics created a moment ago may take a metadata refresh or two to show their partitions.
    deadline = time.monotonic() + METADATA_TIMEOUT_S
    while not all(consumer.partitions_for_topic(topic) for topic in topics):
        if time.monotonic() > deadline:
            raise AssertionError(f"no partition metadata for {topics}")
        time.sleep(0.1)
    return topic_partitions(consumer, topics)


class ProjectorProgress:
    """The sum of a consumer group's next offsets, as stored with the projection rows."""

    def __init__(self, settings: Settings) -> None:
        self.group = settings.projector_group
        self.engine = open_projection_db(sqlalchemy_url(settings.projections_url))

    def offsets(self) -> int:
        with self.engine.connect() as connection:
            total = connection.execute(
                select(func.coalesce(func.sum(consumer_position.c.next_offset), 0)).where(
                    consumer_position.c.group_id == self.group
                )
            ).scalar_one()
        return int(total)

    def close(self) -> None:
        self.engine.dispose()
