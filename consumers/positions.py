"""A consumer group's Kafka positions, stored in SQL beside the rows they produced."""

from __future__ import annotations

from kafka import TopicPartition
from sqlalchemy import Connection, select

from projections.schema import consumer_position


def load_position(connection: Connection, group_id: str, tp: TopicPartition) -> int | None:
    """Next offset to read on `tp`, locking the row (PostgreSQL) until the transaction ends."""
    query = (
        select(consumer_position.c.next_offset)
        .where(
            consumer_position.c.group_id == group_id,
            consumer_position.c.topic == tp.topic,
            consumer_position.c.partition == tp.partition,
        )
        .with_for_update()
    )
    offset = connection.execute(query).scalar()
    return None if offset is None else int(offset)


def save_position(
    connection: Connection, group_id: str, tp: TopicPartition, next_offset: int, existed: bool
) -> None:
    key = {"group_id": group_id, "topic": tp.topic, "partition": tp.partition}
    if existed:
        connection.execute(
            consumer_position.update()
            .where(
                consumer_position.c.group_id == group_id,
                consumer_position.c.topic == tp.topic,
                consumer_position.c.partition == tp.partition,
            )
            .values(next_offset=next_offset)
        )
    else:
        connection.execute(consumer_position.insert().values(**key, next_offset=next_offset))
