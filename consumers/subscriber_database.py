"""The subscriber's own database: where its rows and its Kafka positions live together."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine, event

from projections.tables import consumer_position, dead_letter


def open_subscriber_db(url: str) -> Engine:
    """An engine on `url` (any SQLAlchemy URL) with the kit's two tables created.

    `consumer_position` holds the next offset per topic partition, `dead_letter` the messages
    set aside. The subscriber's own tables are its business; create them before subscribing.
    On SQLite every transaction begins IMMEDIATE: the stored offset is read before anything is
    written, and two group members briefly holding one partition must not both read the old
    offset (SQLite ignores the SELECT ... FOR UPDATE that guards this on PostgreSQL).
    """
    engine = create_engine(_with_driver(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _begin_immediate)
    consumer_position.create(engine, checkfirst=True)
    dead_letter.create(engine, checkfirst=True)
    return engine


def _with_driver(url: str) -> str:
    # A plain postgresql:// URL would make SQLAlchemy look for psycopg2; we ship psycopg 3.
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # pysqlite's own transaction handling off, so the "begin" listener decides how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
