"""One relay per event store: a second one would publish every event again.

SQLite: an exclusive lock on a file beside the database. PostgreSQL: a session advisory lock
held on a dedicated connection. Either way the operating system or the server releases it if
the process dies, so a crashed relay never blocks its successor.
"""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path
from typing import IO, Any

import psycopg

from infra.store.urls import redact, sqlite_path


class RelayAlreadyRunning(RuntimeError):
    """Another relay holds this store's lock."""


class RelayLock:
    def __init__(self, release: Any) -> None:
        self._release = release

    @classmethod
    def acquire(cls, event_store_url: str, name: str) -> RelayLock:
        if event_store_url.startswith("sqlite"):
            return cls._file_lock(sqlite_path(event_store_url).with_suffix(f".{name}.lock"))
        return cls._advisory_lock(event_store_url, name)

    @classmethod
    def _file_lock(cls, path: Path) -> RelayLock:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle: IO[str] = path.open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RelayAlreadyRunning(
                f"another relay is publishing this store (lock {path} is held)"
            ) from None
        return cls(handle.close)

    @classmethod
    def _advisory_lock(cls, url: str, name: str) -> RelayLock:
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        locked = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        if not (locked and locked[0]):
            connection.close()
            raise RelayAlreadyRunning(
                f"another relay is publishing this store ({redact(url)}, lock {name!r})"
            )
        return cls(connection.close)

    def release(self) -> None:
        self._release()
