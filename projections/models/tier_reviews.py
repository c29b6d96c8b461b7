"""Tier reviews that changed no tier, and the tiers at risk read from them (a downgrade
pending, or a tier held only by a transition plan's floor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Column, Connection, Date, Numeric, String, Table, func, select

from contracts.wire.envelope import Envelope
from projections.models.partner_status import partner_status
from projections.models.tier_history import tier_change
from projections.schema import metadata, tier_value
from projections.writer import BatchWriter, Handler

AT_RISK = ("downgrade-pending", "held-by-plan")

tier_review = Table(
    "tier_review",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("reviewed_on", Date, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("earned_tier", String(20), nullable=False),
    Column("floor_tier", String(20), nullable=True),
    Column("downgrade_due_on", Date, nullable=True),
    Column("qualified_revenue", Numeric(18, 2), nullable=False),
    Column("rules_version", String(40), nullable=False),
    Column("position", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class TierAtRisk:
    partner: str
    tier: str
    earned_tier: str
    outcome: str
    reviewed_on: date
    downgrade_due_on: date | None
    floor_tier: str | None


def tier_reviewed(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        tier_review,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "reviewed_on": p["reviewed_on"],
            "outcome": p["outcome"],
            "tier": tier_value(p["tier"]),
            "earned_tier": tier_value(p["earned_tier"]),
            "floor_tier": tier_value(p["floor_tier"]),
            "downgrade_due_on": p["downgrade_due_on"],
            "qualified_revenue": p["qualified_revenue"],
            "rules_version": p["rules_version"],
            "position": e.position,
        },
    )


HANDLERS: dict[str, Handler] = {"partner.tier-reviewed": tier_reviewed}


def tiers_at_risk(connection: Connection) -> list[TierAtRisk]:
    """Partners whose last review found them earning less than they hold, with no tier
    change since: a downgrade is announced, or only their transition plan holds the tier."""
    last_review = (
        select(tier_review.c.partner_id, func.max(tier_review.c.position).label("position"))
        .group_by(tier_review.c.partner_id)
        .subquery()
    )
    last_change = (
        select(tier_change.c.partner_id, func.max(tier_change.c.position).label("position"))
        .group_by(tier_change.c.partner_id)
        .subquery()
    )
    rows = connection.execute(
        select(tier_review, partner_status.c.code)
        .join(last_review, last_review.c.position == tier_review.c.position)
        .join(partner_status, partner_status.c.partner_id == tier_review.c.partner_id)
        .outerjoin(last_change, last_change.c.partner_id == tier_review.c.partner_id)
        .where(
            tier_review.c.outcome.in_(AT_RISK),
            (last_change.c.position.is_(None)) | (last_change.c.position < tier_review.c.position),
        )
        .order_by(tier_review.c.downgrade_due_on, partner_status.c.code)
    )
    return [
        TierAtRisk(
            r.code,
            r.tier,
            r.earned_tier,
            r.outcome,
            r.reviewed_on,
            r.downgrade_due_on,
            r.floor_tier,
        )
        for r in rows
    ]
