"""Mirroring SQL positions to Kafka: asynchronous, best-effort, and never for a replay."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from kafka import TopicPartition
from kafka.errors import CommitFailedError, IllegalStateError
from kafka.structs import OffsetAndMetadata
from sqlalchemy import Connection

from consumers.group_offsets import GroupOffsetMirror
from consumers.projector import Projector
from contracts.wire.codec import encode
from contracts.wire.envelope import Envelope
from domain.partner import Partner
from domain.program import Tier
from infra.kafka.clients import consumer_settings
from projections.database import open_projection_db
from projections.dispatch import project_envelopes

TP = TopicPartition("ledger.partner", 1)


class Done:
    is_done = True


class FakeConsumer:
    """Records commit_async calls; answers each through its callback, or refuses to send."""

    def __init__(self, answer: Any = None, refuse: BaseException | None = None) -> None:
        self.commits: list[dict[TopicPartition, OffsetAndMetadata]] = []
        self.answer = answer
        self.refuse = refuse

    def commit_async(self, offsets: dict[TopicPartition, OffsetAndMetadata], callback: Any) -> Done:
        if self.refuse is not None:
            raise self.refuse
        self.commits.append(offsets)
        callback(offsets, self.answer)
        return Done()


def test_commits_the_next_offsets_as_offset_and_metadata():
    consumer = FakeConsumer()
    mirror = GroupOffsetMirror(consumer)  # type: ignore[arg-type]
    mirror.commit({TP: 42})
    assert consumer.commits == [{TP: OffsetAndMetadata(42, "", -1)}]
    assert mirror.failures == 0
    mirror.flush()  # the last commit is done: returns at once


def test_nothing_moved_commits_nothing():
    consumer = FakeConsumer()
    GroupOffsetMirror(consumer).commit({})  # type: ignore[arg-type]
    assert consumer.commits == []


@pytest.mark.parametrize(
    "consumer",
    [
        FakeConsumer(answer=CommitFailedError("rebalanced")),
        FakeConsumer(refuse=IllegalStateError()),
    ],
    ids=["failed-on-the-broker", "refused-before-sending"],
)
def test_a_failed_commit_is_logged_and_never_raised(consumer, caplog):
    mirror = GroupOffsetMirror(consumer)
    with caplog.at_level(logging.WARNING, logger="consumers.group_offsets"):
        mirror.commit({TP: 7})
    assert mirror.failures == 1
    assert "SQL positions unaffected" in caplog.text


def test_a_projector_that_joined_no_group_mirrors_nothing():
    # A replay's projector is fed records without ever subscribing (start_alone or a reader).
    projector = Projector(FakeConsumer(), None, "replay-x", [TP.topic], lambda c, e: None)  # type: ignore[arg-type]
    assert projector.kafka_offsets is None


def test_auto_commit_stays_off():
    # Kafka's offsets are only a mirror: an auto-commit would commit what was polled, not
    # what the database holds.
    assert consumer_settings("ledger-projector")["enable_auto_commit"] is False


@dataclass(frozen=True)
class Record:
    offset: int
    value: bytes


def enrolment_records(first_offset: int, count: int) -> list[Record]:
    events = [
        Partner.enroll(f"p-{n}", f"P {n}", Tier.GOLD, date(2010, 11, 2)).collect_events()[0]
        for n in range(count)
    ]
    return [Record(first_offset + n, encode(e, n + 1).value) for n, e in enumerate(events)]


@pytest.fixture
def projector(tmp_path: Path) -> Iterator[tuple[Projector, FakeConsumer]]:
    engine = open_projection_db(f"sqlite:///{tmp_path / 'p.sqlite'}", writer=True)
    consumer = FakeConsumer()
    projector = Projector(consumer, engine, "g", [TP.topic], project_envelopes)  # type: ignore[arg-type]
    projector.kafka_offsets = GroupOffsetMirror(consumer)  # type: ignore[arg-type]  # as start() does
    yield projector, consumer
    engine.dispose()


def test_a_group_member_commits_to_kafka_what_it_stored_in_sql(projector):
    member, consumer = projector
    assert member.project_records(TP, enrolment_records(10, 3)) == 3
    assert member.stored_position(TP) == 13
    assert consumer.commits == [{TP: OffsetAndMetadata(13, "", -1)}]
    # A poll of records already stored moves nothing, so tells Kafka nothing new.
    assert member.project_records(TP, enrolment_records(10, 3)) == 0
    assert len(consumer.commits) == 1


def test_a_batch_rolled_back_commits_nothing_to_kafka(projector):
    member, consumer = projector

    def failing(connection: Connection, envelopes: list[Envelope]) -> None:
        raise RuntimeError("handler failed")

    member.handler = failing
    with pytest.raises(RuntimeError, match="handler failed"):
        member.project_records(TP, enrolment_records(0, 2))
    assert member.stored_position(TP) is None
    assert consumer.commits == []
