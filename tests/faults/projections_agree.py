"""Whether projections built through faults equal a rebuild, and agree with the store itself.

A rebuild runs the projector's own code, so a fold that miscounts would miscount on both sides.
The store-side checks do not depend on that code: every aggregate's last projected version is
its last stored version (nothing skipped), and the certifications counted are the ones stored
(nothing applied twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from domain.ledger import Ledger
from infra.audit.replay import replay
from infra.settings import Settings
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db
from projections.models.certifications import partner_certification
from projections.models.partner_status import partner_status
from projections.schema import projected_version

CERTIFICATION_EARNED = "Partner.CertificationEarned"


@dataclass(frozen=True)
class Projected:
    versions: dict[str, int]  # aggregate id -> last version projected
    certifications_counted: int  # the sum of partner_status.certifications_earned
    certification_rows: int


def read_projected(projections_url: str) -> Projected:
    engine = open_projection_db(sqlalchemy_url(projections_url))
    try:
        with engine.connect() as connection:
            versions = {
                str(row.aggregate_id): int(row.version)
                for row in connection.execute(
                    select(projected_version.c.aggregate_id, projected_version.c.version)
                )
            }
            counted = connection.execute(
                select(func.coalesce(func.sum(partner_status.c.certifications_earned), 0))
            ).scalar_one()
            rows = connection.execute(
                select(func.count()).select_from(partner_certification)
            ).scalar_one()
    finally:
        engine.dispose()
    return Projected(versions, int(counted), int(rows))


def stored_versions(ledger: Ledger) -> tuple[dict[str, int], int]:
    """Every aggregate's last stored version, and how many certifications were earned."""
    last = ledger.recorder.max_notification_id() or 0
    versions: dict[str, int] = {}
    certifications = 0
    for notification in ledger.recorder.select_notifications(start=1, limit=last + 1):
        versions[str(notification.originator_id)] = notification.originator_version
        certifications += notification.topic.endswith(CERTIFICATION_EARNED)
    return versions, certifications


def assert_projections_complete_and_rebuildable(
    settings: Settings, ledger: Ledger, replay_url: str
) -> int:
    """Projections agree with the store and equal a rebuild; returns the events replayed."""
    projected = read_projected(settings.projections_url)
    versions, certifications = stored_versions(ledger)
    behind = {a: (v, projected.versions.get(a)) for a, v in versions.items()}
    behind = {a: pair for a, pair in behind.items() if pair[0] != pair[1]}
    assert behind == {}, f"{len(behind)} aggregates not projected up to their last version"
    assert projected.certifications_counted == certifications
    assert projected.certification_rows == certifications
    rebuilt = replay(settings, replay_url)
    assert rebuilt.differences == []
    return rebuilt.events
