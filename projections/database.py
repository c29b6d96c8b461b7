"""Opening the projection database."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from projections.tables import metadata


def open_projection_db(url: str) -> Engine:
    """An engine with the projection tables created; SQLite gets WAL so readers never block."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
