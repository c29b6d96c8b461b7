"""The projection database on SQLite: one writing transaction at a time, readers unaffected.

The projector reads its stored offset before writing anything (SELECT ... FOR UPDATE, which
SQLite ignores). Transactions therefore take SQLite's write lock when they begin, or two group
members holding the same partition for a moment could both read the old offset.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from kafka import TopicPartition
from sqlalchemy import Connection, Engine, func, inspect, select

from consumers.projector import ProjectionError, Projector
from contracts.wire.codec import decode, encode
from contracts.wire.envelope import Envelope
from domain.partner import Partner
from domain.program import Tier
from projections.database import PROJECTION_TABLES, open_projection_db
from projections.dispatch import project_envelopes
from projections.models.partner_status import partner_status
from projections.schema import consumer_position, metadata

TP = TopicPartition("test.partner", 0)


@dataclass(frozen=True)
class Record:
    offset: int
    value: bytes


def records(count: int) -> list[Record]:
    events = [
        event
        for i in range(count)
        for event in Partner.enroll(
            f"partner-{i:03d}", f"Partner {i}", Tier.SILVER, date(2010, 11, 2)
        ).collect_events()
    ]
    return [Record(offset, encode(e, offset + 1).value) for offset, e in enumerate(events)]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'projections.sqlite'}"


@pytest.fixture
def engines(db_url: str) -> Iterator[list[Engine]]:
    """Two engines on one file: two processes of the same consumer group."""
    opened = [open_projection_db(db_url, writer=True), open_projection_db(db_url, writer=True)]
    yield opened
    for engine in opened:
        engine.dispose()


def partner_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(partner_status)).scalar())


def test_overlapping_group_members_apply_a_batch_once(engines):
    batch = records(5)
    first_is_projecting = threading.Event()

    def slow(connection: Connection, envelopes: list[Envelope]) -> None:
        first_is_projecting.set()
        threading.Event().wait(0.5)  # still inside its transaction when the other one starts
        project_envelopes(connection, envelopes)

    first = Projector(None, engines[0], "projector", [TP.topic], slow)  # type: ignore[arg-type]
    second = Projector(None, engines[1], "projector", [TP.topic], project_envelopes)  # type: ignore[arg-type]
    results: dict[str, int | BaseException] = {}

    def run(name: str, projector: Projector) -> None:
        try:
            results[name] = projector.project_records(TP, batch)
        except BaseException as error:  # reported by the assertion below
            results[name] = error

    threads = [threading.Thread(target=run, args=("first", first))]
    threads[0].start()
    assert first_is_projecting.wait(5)
    threads.append(threading.Thread(target=run, args=("second", second)))
    threads[1].start()
    for thread in threads:
        thread.join(15)

    assert results == {"first": 5, "second": 0}
    assert partner_count(engines[0]) == 5
    assert first.stored_position(TP) == 5


@pytest.mark.parametrize("start", ["begin", "connect"])
def test_a_transaction_that_has_only_read_keeps_others_from_starting(engines, start):
    order: list[str] = []
    with engines[0].begin() as holder:
        holder.execute(select(consumer_position)).all()

        def other() -> None:
            with getattr(engines[1], start)() as connection:
                connection.execute(select(consumer_position)).all()
                order.append("other read")

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.5)
        order.append("holder committed")
    thread.join(10)
    assert order == ["holder committed", "other read"]


def test_plain_reads_work_and_release_the_database(engines):
    with engines[0].begin() as connection:
        project_envelopes(connection, [])
    for _ in range(3):
        with engines[0].connect() as connection:
            assert (
                connection.execute(select(func.count()).select_from(partner_status)).scalar() == 0
            )
    # Nothing left open by the readers: the other engine writes straight away.
    projector = Projector(None, engines[1], "projector", [TP.topic], project_envelopes)  # type: ignore[arg-type]
    assert projector.project_records(TP, records(2)) == 2
    assert partner_count(engines[0]) == 2


def test_a_reader_sees_what_was_committed_and_nothing_uncommitted(engines):
    projector = Projector(None, engines[0], "projector", [TP.topic], project_envelopes)  # type: ignore[arg-type]
    projector.project_records(TP, records(1))
    with engines[1].connect() as connection:
        assert connection.execute(select(partner_status.c.code)).scalars().all() == ["partner-000"]
    with engines[0].connect() as connection:
        connection.execute(partner_status.delete())
        # not committed: closing the connection rolls it back
    assert partner_count(engines[1]) == 1


def test_wal_and_busy_timeout_are_kept(engines):
    with engines[0].connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_a_reader_holding_a_snapshot_never_holds_up_the_writer(db_url, engines):
    reader = open_projection_db(db_url)
    try:
        with reader.connect() as connection:
            connection.execute(select(func.count()).select_from(partner_status)).scalar()
            # the read transaction is still open while the projector writes and commits
            with engines[0].begin() as writing:
                project_envelopes(writing, [decode(r.value) for r in records(1)])
            assert (
                connection.execute(select(func.count()).select_from(partner_status)).scalar() == 0
            )
        assert partner_count(reader) == 1
    finally:
        reader.dispose()


def position_rows(engine: Engine) -> dict[int, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(consumer_position.c.partition, consumer_position.c.next_offset)
        )
        return dict(rows.all())


def test_one_poll_over_two_partitions_stores_both_positions_with_the_rows(engines):
    other = TopicPartition(TP.topic, 1)
    projector = Projector(None, engines[0], "projector", [TP.topic], project_envelopes)  # type: ignore[arg-type]
    first, second = records(3)[:2], records(3)[2:]
    assert projector.project_polled({other: second, TP: first}) == 3
    assert partner_count(engines[0]) == 3
    assert position_rows(engines[0]) == {0: 2, 1: 3}


def test_a_poll_that_fails_on_one_partition_stores_nothing_for_any(engines):
    other = TopicPartition(TP.topic, 1)
    projector = Projector(None, engines[0], "projector", [TP.topic], project_envelopes)  # type: ignore[arg-type]
    broken = [Record(7, b"not an envelope")]  # no dead-letter sink: decoding raises
    with pytest.raises(ProjectionError, match=r"test.partner\[1\]@7"):
        projector.project_polled({TP: records(2), other: broken})
    assert partner_count(engines[0]) == 0
    assert position_rows(engines[0]) == {}


def test_a_scratch_database_does_not_wait_for_the_disk(db_url, tmp_path):
    scratch = open_projection_db(
        f"sqlite:///{tmp_path / 'scratch.sqlite'}", writer=True, scratch=True
    )
    live = open_projection_db(db_url, writer=True)
    try:
        with scratch.connect() as fast, live.connect() as durable:
            assert fast.exec_driver_sql("PRAGMA synchronous").scalar() == 0  # OFF
            assert durable.exec_driver_sql("PRAGMA synchronous").scalar() != 0
    finally:
        scratch.dispose()
        live.dispose()


def test_every_read_models_table_is_created(tmp_path):
    engine = open_projection_db(f"sqlite:///{tmp_path / 'new.sqlite'}")
    try:
        created = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(PROJECTION_TABLES) == set(metadata.tables.values())
    assert created == {table.name for table in PROJECTION_TABLES}
