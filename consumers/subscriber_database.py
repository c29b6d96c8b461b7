"""The subscriber's own database: where its rows and its Kafka positions live together."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from projections.database import sqlite_transactions
from projections.models.dead_letters import dead_letter
from projections.schema import consumer_position


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
        sqlite_transactions(engine, writer=True)
    consumer_position.create(engine, checkfirst=True)
    dead_letter.create(engine, checkfirst=True)
    return engine


def _with_driver(url: str) -> str:
    # A plain postgresql:// URL would make SQLAlchemy look for psycopg2; we ship psycopg 3.
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
