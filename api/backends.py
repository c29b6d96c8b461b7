"""The ledger and the projection database behind the API, opened on first use.

Opened lazily so that the API starts, and answers 503 rather than failing to start, while a
database is down; opened once, because each holds a connection pool shared by every request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import Connection, Engine

from domain.ledger import Ledger
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db

EXTENSION = "channel-ledger"


class Backends:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._ledger: Ledger | None = None
        self._engine: Engine | None = None

    def ledger(self) -> Ledger:
        with self._lock:
            if self._ledger is None:
                self._ledger = open_ledger(self.settings)
            return self._ledger

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = open_projection_db(sqlalchemy_url(self.settings.projections_url))
            return self._engine

    def close(self) -> None:
        with self._lock:
            if self._ledger is not None:
                self._ledger.close()
            if self._engine is not None:
                self._engine.dispose()
            self._ledger, self._engine = None, None


def backends() -> Backends:
    found: Backends = current_app.extensions[EXTENSION]
    return found


def ledger() -> Ledger:
    return backends().ledger()


@contextmanager
def projections() -> Iterator[Connection]:
    """A read-only connection to the projections, for one request."""
    with backends().engine().connect() as connection:
        yield connection
