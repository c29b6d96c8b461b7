"""Which failures mean "the database is away, wait", drawn from real drivers' real errors."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from infra.relay.feed import RelayFeedError
from infra.store.availability import DatabaseUnavailable, database_unavailable
from tests.fixtures.infrastructure import free_port


def raised(action, kind: type[BaseException] = Exception) -> BaseException:
    with pytest.raises(kind) as caught:
        action()
    return caught.value


def test_a_refused_postgresql_connection_is_the_database_away():
    url = f"postgresql://ledger@127.0.0.1:{free_port()}/ledger"
    assert database_unavailable(raised(lambda: psycopg.connect(url, connect_timeout=2)))
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    wrapped = raised(engine.connect, SQLAlchemyError)
    assert isinstance(wrapped, SQLAlchemyError)
    assert database_unavailable(wrapped)


def test_the_cause_is_followed_through_wrappers():
    def open_store() -> None:
        try:
            psycopg.connect(f"postgresql://ledger@127.0.0.1:{free_port()}/x", connect_timeout=2)
        except psycopg.OperationalError as error:
            raise RuntimeError("opening the store failed") from error

    assert database_unavailable(raised(open_store, RuntimeError))
    assert database_unavailable(DatabaseUnavailable("the relay's encoder lost the event store"))


def test_refusals_and_faults_of_the_request_are_not_waited_for(postgres_url):
    with psycopg.connect(postgres_url) as connection:
        syntax = raised(lambda: connection.execute("SELEC 1"))
    assert isinstance(syntax, psycopg.errors.SyntaxError)
    assert not database_unavailable(syntax)

    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        duplicate = raised(lambda: connection.execute(text("INSERT INTO t VALUES (1)")))
    assert not database_unavailable(duplicate)
    locked = sqlite3.OperationalError("database is locked")
    assert not database_unavailable(locked)
    assert not database_unavailable(StoreIntegrityError("duplicate key"))
    assert not database_unavailable(RelayFeedError("the relay's encoder failed: ValueError: x"))
