"""eventsourcing's SQLite application recorder with the request log (see ``request_log``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from infra.store.request_log import (
    KeepsReceipts,
    RecordedRequest,
    recorded_request,
    request_row,
    requests_table,
)


class SQLiteRequestRecorder(KeepsReceipts, SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.requests_table_name = table = requests_table(events_table_name)
        super().__init__(datastore, events_table_name)
        # The table's name comes from eventsourcing's own events table name, never from input.
        self.purge_statement = f"DELETE FROM {table} WHERE expires_at <= ?"  # noqa: S608
        self.insert_statement = f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?)"  # noqa: S608
        self.select_statement = f"SELECT * FROM {table} WHERE request_key = ?"  # noqa: S608

    def construct_create_table_statements(self) -> list[str]:
        table = self.requests_table_name
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {table} (request_key TEXT PRIMARY KEY, "
            "body_digest TEXT NOT NULL, answer TEXT NOT NULL, "
            "recorded_at REAL NOT NULL, expires_at REAL NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {table}_expiry ON {table} (expires_at)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        receipt: RecordedRequest | None = kwargs.get("receipt")
        if receipt is not None:
            c.execute(self.purge_statement, (receipt.recorded_at,))
            c.execute(self.insert_statement, request_row(receipt))
        return super()._insert_events(c, stored_events, **kwargs)

    def select_request(self, key: str) -> RecordedRequest | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_statement, (key,))
            row = c.fetchone()
        return None if row is None else recorded_request(row)
