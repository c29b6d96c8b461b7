"""`ledger audit replay`: rebuild every projection from offset zero and compare with live.

The replay reads the ledger's topics from the beginning into a fresh database, then compares
it with the live projection database table by table. Replaying twice gives identical tables:
the projections are a pure function of the topics.

It runs the live projector's own code and consumer settings (decoding, dispatch, dead
letters, offsets stored with the rows), with two differences that suit a one-off read of
everything: the consumer is alone in a group of its own, so it reads every partition without
joining a group, and the fresh target's commits do not wait for the disk (see
`open_projection_db(scratch=True)`). Larger polls (2,000 to 20,000 records per transaction)
were measured too and made no difference beyond the noise, so the poll size is the live one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from consumers.collector_pacing import collecting_less_often
from consumers.dead_letters import AlreadyPublishedDeadLetters
from consumers.projector import Projector
from infra.audit.replay_reader import ReplayReader
from infra.kafka.clients import new_consumer
from infra.kafka.topics import dead_letter_topic, ledger_topics, prepare_topics
from infra.output import Progress
from infra.settings import Settings
from infra.store.urls import redact, sqlalchemy_url
from projections.compare import Difference, differences
from projections.database import open_projection_db
from projections.dispatch import project_envelopes
from projections.schema import metadata

METADATA_TIMEOUT_S = 30.0


class ReplayTargetNotEmpty(ValueError):
    """The database named for the replay already holds projection rows."""


@dataclass(frozen=True)
class ReplayResult:
    target: str
    events: int
    differences: list[Difference]


def replay(settings: Settings, target_url: str) -> ReplayResult:
    """Project every topic from offset zero into `target_url`, then compare with live.

    The replay reads to the topics' ends as of its start; the live projections should have
    caught up to at least that point (drain the projector, or run it alongside), or what it has
    not projected yet is listed as differences."""
    check_empty(target_url)
    with Progress("replay: events projected") as shown:
        events = replay_into(settings, target_url, on_progress=shown)
    return ReplayResult(target_url, events, compare(settings.projections_url, target_url))


def replay_into(
    settings: Settings, target_url: str, on_progress: Callable[[int], None] | None = None
) -> int:
    """Project every topic from offset zero into `target_url`; returns the events projected."""
    running = ReplayRun(settings, target_url)
    try:
        if isinstance(on_progress, Progress):
            on_progress.total = running.total
        return running.drain(on_progress=on_progress)
    finally:
        running.close()


class ReplayRun:
    """A replay: the live projector's code fed by a reading process (infra.audit.replay_reader).

    Opening it (topics, tables, the reader's start-up) is set-up; `drain` is the replay.
    """

    def __init__(self, settings: Settings, target_url: str) -> None:
        self.projector = open_replay_projector(settings, target_url)
        try:
            partitions = self.projector.partitions(METADATA_TIMEOUT_S)
            start = {tp: self.projector.stored_position(tp) or 0 for tp in partitions}
            self.reader = ReplayReader(
                settings.kafka_bootstrap_servers, self.projector.topics, start
            )
        except BaseException:
            self._close_projector()
            raise
        self.total = self.reader.total

    def drain(self, on_progress: Callable[[int], None] | None = None) -> int:
        projected = 0
        with collecting_less_often():
            for polled in self.reader.batches():
                projected += self.projector.project_polled(polled)
                if on_progress:
                    on_progress(projected)
        return projected

    def close(self) -> None:
        try:
            self.reader.close()
        finally:
            self._close_projector()

    def _close_projector(self) -> None:
        self.projector.close()
        self.projector.engine.dispose()


def open_replay_projector(settings: Settings, target_url: str) -> Projector:
    """The live projector's code on a fresh database; it reads nothing itself (ReplayRun's
    reader does) and never joins a group: Kafka never hears of the replay's group."""
    prepare_topics(settings, extra=[dead_letter_topic(settings)])
    engine = open_projection_db(sqlalchemy_url(target_url), writer=True, scratch=True)
    return Projector(
        new_consumer(settings.kafka_bootstrap_servers, None),
        engine,
        f"replay-{uuid.uuid4().hex[:12]}",
        ledger_topics(settings),
        project_envelopes,
        AlreadyPublishedDeadLetters(),
    )


def compare(live_url: str, replayed_url: str) -> list[Difference]:
    live = open_projection_db(sqlalchemy_url(live_url))
    replayed = open_projection_db(sqlalchemy_url(replayed_url))
    try:
        with live.connect() as live_connection, replayed.connect() as replayed_connection:
            return differences(live_connection, replayed_connection)
    finally:
        live.dispose()
        replayed.dispose()


def check_empty(target_url: str) -> None:
    engine = open_projection_db(sqlalchemy_url(target_url))
    try:
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                if connection.execute(table.select().limit(1)).first() is not None:
                    raise ReplayTargetNotEmpty(
                        f"{redact(target_url)} already holds {table.name} rows: "
                        "replay into a fresh database"
                    )
    finally:
        engine.dispose()
