"""Opening the projection database, with every read model's tables."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, Engine, Table, create_engine, event, text

from projections.models.benefits import protection_benefit
from projections.models.certifications import partner_certification
from projections.models.dead_letters import dead_letter
from projections.models.exclusivity_decisions import exclusivity_decision
from projections.models.notices import notice
from projections.models.opportunities import opportunity
from projections.models.partner_status import partner_status
from projections.models.program_rules import program_rules
from projections.models.quotes import quote
from projections.models.revenue import revenue_credit
from projections.models.reviews import registration_review
from projections.models.specializations import partner_specialization
from projections.models.tier_history import tier_change
from projections.models.tier_reviews import tier_review
from projections.models.transition_plans import transition_plan
from projections.schema import consumer_position, metadata, projected_version

# Every projection table, in the order a new database has always created them: the tables are
# defined across the read models, so the order they reach the MetaData depends on what a
# process imported first.
PROJECTION_TABLES: tuple[Table, ...] = (
    partner_status,
    partner_certification,
    projected_version,
    consumer_position,
    partner_specialization,
    revenue_credit,
    tier_change,
    program_rules,
    opportunity,
    exclusivity_decision,
    quote,
    dead_letter,
    tier_review,
    transition_plan,
    protection_benefit,
    registration_review,
    notice,
)

SCRATCH_SYNCHRONOUS = "OFF"
# Any fixed 64-bit number, the same in every process: the advisory lock around table creation.
SCHEMA_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"channel-ledger projections schema").digest()[:8], "big", signed=True
)


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
        metadata.create_all(engine, tables=PROJECTION_TABLES)
        return engine
    with engine.begin() as connection:
        # Processes started together on a fresh database (`ledger up` beside the API) would
        # otherwise both see a table missing and both create it; the loser's CREATE fails on
        # PostgreSQL's catalog. The lock is the transaction's: it ends with the creation.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        metadata.create_all(connection, tables=PROJECTION_TABLES)
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
