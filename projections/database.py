"""Opening the projection database."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine, event

from projections.tables import metadata

SCRATCH_SYNCHRONOUS = "OFF"


def open_projection_db(url: str, writer: bool = False, scratch: bool = False) -> Engine:
    """An engine with the projection tables created.

    On SQLite a writer's transactions begin IMMEDIATE, taking the write lock up front: the
    projector reads its stored offset before it writes anything, with a SELECT ... FOR UPDATE
    that SQLite ignores; left deferred (and pysqlite would not even send BEGIN before a
    SELECT), two group members briefly holding the same partition could both read the old
    offset and apply the batch. Readers (queries, the CLI, the API) begin deferred: under WAL
    they read a consistent snapshot and never wait for, or hold up, the projector.

    A `scratch` database is one being rebuilt from nothing (an audit replay into a fresh
    file): on SQLite its commits do not wait for the disk. A crash or power loss during the
    rebuild can leave the file unusable; the rebuild is then simply run again into a fresh
    file, as a replay refuses a database that is not empty anyway.
    """
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        sqlite_transactions(engine, writer, scratch)
    metadata.create_all(engine)
    return engine


def sqlite_transactions(engine: Engine, writer: bool, scratch: bool = False) -> None:
    """WAL, a busy timeout, and transactions that begin as `open_projection_db` explains (also
    used by the subscriber kit's databases, for the same reason)."""
    event.listen(engine, "connect", _sqlite_connect)
    if scratch:
        event.listen(engine, "connect", _sqlite_without_sync)
    event.listen(engine, "begin", _begin_immediate if writer else _begin_deferred)


def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # pysqlite's own transaction handling off: SQLAlchemy's "begin" event says how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_without_sync(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA synchronous={SCRATCH_SYNCHRONOUS}")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
