"""Telling a database that is away (restarting, unreachable) from one that refused something.

A long-running process waits out the first kind and resumes; the second is a fault in the
command or the data, and waiting would change nothing. The drivers report both through the same
families of exceptions, so the distinction is drawn here once, on the exception's class:
PostgreSQL's "connection refused", "the database system is starting up" or "terminating
connection due to administrator command", and a pool that cannot get a connection, are
psycopg OperationalErrors (wrapped by SQLAlchemy's or eventsourcing's, which keep the original
as their cause), while a constraint or syntax error is not. Lock timeouts and deadlocks are
OperationalErrors too: for a loop that retries its step from the database's state, waiting and
trying again is the right answer to them as well.
SQLite's OperationalError ("database is locked") is left out: a file does not restart, and a
busy database already has its busy timeout.
"""

from __future__ import annotations

import psycopg
from eventsourcing.persistence import ConnectionUnavailableError
from sqlalchemy.exc import DBAPIError


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached; the message says what the driver said."""


# Ours, a pool that could not get a connection, and what psycopg raises when the server is gone
# or going (AdminShutdown, CannotConnectNow, a refused or dropped connection: OperationalErrors).
_AWAY = (
    DatabaseUnavailable,
    ConnectionUnavailableError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error`, or anything it was raised from, says the database is away."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_away(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_away(error: BaseException) -> bool:
    if isinstance(error, _AWAY):
        return True
    # SQLAlchemy flags a lost connection itself, whatever the driver called it.
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)
