"""Opens the ledger's event store from a database URL.

The native eventsourcing recorders are used (``eventsourcing.sqlite`` /
``eventsourcing.postgres``), each with a request log beside the events
(``infra.store.request_log``): the design notes measured the SQLAlchemy recorder at about half
their write rate, and the PostgreSQL recorder's table lock gives commit order equal to
notification-id order, which the relay relies on to never skip an event.
"""

from __future__ import annotations

import time
from urllib.parse import unquote, urlsplit

from eventsourcing.persistence import InternalError

from domain.ledger import Ledger
from infra.settings import Settings, SettingsError
from infra.store.urls import redact, sqlite_path

# The recorders that keep a request log beside the events (infra.store.request_log), named as
# eventsourcing resolves topics, so neither module is imported until a store of its kind opens.
SQLITE_RECORDER = "infra.store.sqlite_recorder:SQLiteRequestRecorder"
POSTGRES_RECORDER = "infra.store.postgres_recorder:PostgresRequestRecorder"


def event_store_env(url: str, lock_timeout_s: int = 5) -> dict[str, str]:
    """The eventsourcing environment for a ``sqlite:///path`` or ``postgresql://`` URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "sqlite":
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "APPLICATION_RECORDER_TOPIC": SQLITE_RECORDER,
        }
    if scheme in ("postgresql", "postgres"):
        if not parts.path.strip("/"):
            raise SettingsError(f"database URL {redact(url)} names no database")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")),
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "APPLICATION_RECORDER_TOPIC": POSTGRES_RECORDER,
            # The recorder's table lock otherwise waits forever behind a stuck writer.
            "POSTGRES_LOCK_TIMEOUT": str(lock_timeout_s),
        }
    raise SettingsError(f"unsupported database URL {redact(url)}: use sqlite:/// or postgresql://")


def open_ledger(settings: Settings, attempts: int = 5) -> Ledger:
    """Open the store, retrying a start-up that raced another process creating its schema.

    eventsourcing's PostgreSQL recorder replaces its insert function on every start, and
    PostgreSQL fails one of two concurrent replacements ("tuple concurrently updated").
    """
    env = event_store_env(settings.event_store_url, settings.postgres_lock_timeout_s)
    for attempt in range(1, attempts):
        try:
            return Ledger(env=env)
        except InternalError:
            time.sleep(0.1 * attempt)
    return Ledger(env=env)
