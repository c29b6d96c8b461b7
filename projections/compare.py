"""Comparing two projection databases table by table: what an auditor's replay checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select

from projections.database import PROJECTION_TABLES
from projections.schema import consumer_position

# Kafka positions belong to a consumer group, and a replay is a group of its own.
NOT_COMPARED = {consumer_position.name}
# Columns naming the group that recorded a row (the dead letters it set aside): a replay
# records the same rows under its own group.
GROUP_COLUMNS = {"group_id"}


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[Any, ...]
    live: tuple[Any, ...] | None
    replayed: tuple[Any, ...] | None


def differences(live: Connection, replayed: Connection, limit: int = 100) -> list[Difference]:
    """Rows that differ between the two databases, keyed by primary key, at most `limit`."""
    found: list[Difference] = []
    for table in sorted(PROJECTION_TABLES, key=lambda table: table.name):
        if table.name in NOT_COMPARED:
            continue
        found += _table_differences(table, live, replayed)
        if len(found) >= limit:
            return found[:limit]
    return found


def _table_differences(table: Table, live: Connection, replayed: Connection) -> list[Difference]:
    live_rows = _rows_by_key(table, live)
    replayed_rows = _rows_by_key(table, replayed)
    return [
        Difference(table.name, key, live_rows.get(key), replayed_rows.get(key))
        for key in sorted(live_rows.keys() | replayed_rows.keys(), key=repr)
        if live_rows.get(key) != replayed_rows.get(key)
    ]


def _rows_by_key(table: Table, connection: Connection) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    compared = [column for column in table.columns if column.name not in GROUP_COLUMNS]
    key_columns = [column.name for column in table.primary_key.columns if column in compared]
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in connection.execute(select(*compared)):
        mapping = row._mapping
        rows[tuple(mapping[name] for name in key_columns)] = tuple(row)
    return rows
