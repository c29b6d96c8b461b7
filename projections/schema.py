"""The MetaData every projection table is defined on, the projector's bookkeeping tables, and
how payload values are written to columns."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Integer, MetaData, String, Table, select

metadata = MetaData()

# Amounts are Numeric (asdecimal): PostgreSQL stores them exactly; SQLite stores a double and
# SQLAlchemy reads it back as a Decimal rounded to the column's scale, exact up to the 15
# significant digits a double holds (cents on amounts below ten trillion).

# The version of the last event projected from each aggregate, whatever tables it touched: an
# event at or below it is a redelivery (or a replay) and is skipped, so no handler sees it twice.
projected_version = Table(
    "projected_version",
    metadata,
    Column("aggregate_id", String(36), primary_key=True),
    Column("aggregate_type", String(40), nullable=False),
    Column("version", Integer, nullable=False),
)

# Kafka positions of each consumer group, written in the same transaction as the rows they
# produced: after a crash, rows and positions agree.
consumer_position = Table(
    "consumer_position",
    metadata,
    Column("group_id", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
)


def stored_positions(connection: Connection) -> list[tuple[str, str, int, int]]:
    """Every stored position (group, topic, partition, next offset), in key order: what the
    projections hold is a function of these, as rows and positions commit together."""
    rows = connection.execute(
        select(consumer_position).order_by(
            consumer_position.c.group_id, consumer_position.c.topic, consumer_position.c.partition
        )
    )
    return [(r.group_id, r.topic, int(r.partition), int(r.next_offset)) for r in rows]


def id_list(values: list[Any]) -> str:
    """Event ids (evidence) as stored: a JSON list of their text."""
    return json.dumps([str(v) for v in values])


def tier_value(tier: Any) -> str | None:
    """A tier as stored: its value, or None where the payload has none."""
    return None if tier is None else str(tier.value)
