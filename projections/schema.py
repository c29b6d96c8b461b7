"""The MetaData every projection table is defined on, the projector's bookkeeping tables, and
how payload values are written to columns."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table

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


def id_list(values: list[Any]) -> str:
    """Event ids (evidence) as stored: a JSON list of their text."""
    return json.dumps([str(v) for v in values])


def tier_value(tier: Any) -> str | None:
    """A tier as stored: its value, or None where the payload has none."""
    return None if tier is None else str(tier.value)
