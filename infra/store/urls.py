"""Database URLs as the ledger reads them: the SQLite file, the SQLAlchemy form, redacted.

Apart from the event store so that a command reading only the projections does not load
eventsourcing and the domain to name its database.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from infra.settings import SettingsError


def sqlite_path(url: str) -> Path:
    """The file a ``sqlite:///relative`` or ``sqlite:////absolute`` URL points at."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path:
        raise SettingsError(f"SQLite URL {url!r} names no file")
    return Path(path)


def sqlalchemy_url(url: str) -> str:
    """The same database for SQLAlchemy, with the psycopg 3 driver for PostgreSQL."""
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    if scheme == "sqlite":
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    return url


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url
