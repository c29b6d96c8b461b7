"""eventsourcing's PostgreSQL application recorder with the request log (see ``request_log``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from infra.store.request_log import (
    KeepsReceipts,
    RecordedRequest,
    recorded_request,
    request_row,
    requests_table,
)


class PostgresRequestRecorder(KeepsReceipts, PostgresApplicationRecorder):
    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.requests_table_name = requests_table(events_table_name)
        self.check_identifier_length(self.requests_table_name + "_expiry")
        names = {
            "schema": Identifier(datastore.schema),
            "table": Identifier(self.requests_table_name),
            "index": Identifier(self.requests_table_name + "_expiry"),
        }
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} (request_key text PRIMARY KEY, "
                "body_digest text NOT NULL, answer text NOT NULL, "
                "recorded_at double precision NOT NULL, expires_at double precision NOT NULL)"
            ).format(**names),
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{table} (expires_at)").format(
                **names
            ),
        ]
        self._purge = SQL("DELETE FROM {schema}.{table} WHERE expires_at <= %s").format(**names)
        self._insert = SQL("INSERT INTO {schema}.{table} VALUES (%s, %s, %s, %s, %s)").format(
            **names
        )
        self._select = SQL("SELECT * FROM {schema}.{table} WHERE request_key = %s").format(**names)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        receipt: RecordedRequest | None = kwargs.get("receipt")
        if receipt is not None:
            # Before the events' table lock: a concurrent holder of the same key makes this
            # insert wait for its commit and then fail, with no lock of ours held in between.
            curs.execute(self._purge, (receipt.recorded_at,))
            curs.execute(self._insert, request_row(receipt))
        super()._insert_events(curs, stored_events, **kwargs)

    def select_request(self, key: str) -> RecordedRequest | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select, (key,))
            row = curs.fetchone()
        return None if row is None else recorded_request(row)
