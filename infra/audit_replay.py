"""`ledger audit replay`: rebuild every projection from offset zero and compare with live.

The replay reads the ledger's topics from the beginning as a consumer group of its own into a
fresh database, then compares it with the live projection database table by table. Replaying
twice gives identical tables: the projections are a pure function of the topics.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from consumers.projector import Projector
from infra.event_store import sqlalchemy_url
from infra.output import Progress
from infra.pipeline import open_projector
from infra.settings import Settings
from projections.compare import Difference, differences
from projections.database import open_projection_db
from projections.tables import metadata


class ReplayTargetNotEmpty(ValueError):
    """The database named for the replay already holds projection rows."""


@dataclass(frozen=True)
class ReplayResult:
    target: str
    events: int
    differences: list[Difference]


def replay(settings: Settings, target_url: str) -> ReplayResult:
    """Project every topic from offset zero into `target_url`, then compare with live."""
    check_empty(target_url)
    replay_settings = replace(
        settings, projections_url=target_url, projector_group=f"replay-{uuid.uuid4().hex[:12]}"
    )
    projector: Projector = open_projector(replay_settings)
    try:
        with Progress("replay: events projected") as shown:
            events = projector.drain(on_progress=shown)
    finally:
        projector.close()
    return ReplayResult(target_url, events, compare(settings.projections_url, target_url))


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
                        f"{target_url} already holds {table.name} rows: "
                        "replay into a fresh database"
                    )
    finally:
        engine.dispose()
