"""Where `ledger` queries read: the live projections, or history as of a business date."""

from __future__ import annotations

from datetime import date
from typing import Any

from infra.settings import Settings
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db


class ProjectionsConnection:
    """A read-only connection to the projection database."""

    def __init__(self, settings: Settings) -> None:
        self.engine = open_projection_db(sqlalchemy_url(settings.projections_url))

    def __enter__(self) -> Any:
        self.connection = self.engine.connect()
        return self.connection

    def __exit__(self, *_: object) -> None:
        self.connection.close()
        self.engine.dispose()


def answering_from(settings: Settings, as_of: date | None) -> Any:
    """Where a query reads: the live projections, or history as of a date (infra.audit.as_of)."""
    if as_of is None:
        return ProjectionsConnection(settings)
    from infra.audit.as_of import HistoryAsOf  # the event store and its codecs: only when asked

    return HistoryAsOf(settings, as_of)
