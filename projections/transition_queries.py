"""Questions about the transition into the program: tiers then and now, tiers at risk, the
legacy partners' transition plans, and the benefits protections carried. For ops and auditors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, func, select

from projections.tables import (
    partner_status,
    protection_benefit,
    tier_change,
    tier_review,
    transition_plan,
)

TIERS_HIGHEST_FIRST = ("platinum", "gold", "silver", "registered")
AT_RISK = ("downgrade-pending", "held-by-plan")


@dataclass(frozen=True)
class TierThenAndNow:
    tier: str
    at_enrolment: int
    now: int


@dataclass(frozen=True)
class TierAtRisk:
    partner: str
    tier: str
    earned_tier: str
    outcome: str
    reviewed_on: date
    downgrade_due_on: date | None
    floor_tier: str | None


@dataclass(frozen=True)
class TransitionPlanView:
    partner: str
    legacy_tier: str
    tier: str
    earned_tier: str
    floor_tier: str
    opened_on: date
    due_on: date
    lacks: str
    milestones_met: list[str]
    closed_on: date | None
    close_reason: str | None


@dataclass(frozen=True)
class BenefitsTotals:
    grants: int
    engineer_days: int
    engineer_days_used: int
    with_extended_support: int


def tiers_then_and_now(connection: Connection) -> list[TierThenAndNow]:
    """Partners per tier at enrolment (their legacy tier) and today, side by side."""
    legacy = _count_by(connection, partner_status.c.legacy_tier)
    now = _count_by(connection, partner_status.c.tier)
    return [
        TierThenAndNow(tier, legacy.get(tier, 0), now.get(tier, 0)) for tier in TIERS_HIGHEST_FIRST
    ]


def _count_by(connection: Connection, column: Any) -> dict[str, int]:
    rows = connection.execute(select(column, func.count()).group_by(column))
    return {str(value): int(count) for value, count in rows}


def legacy_metals_still_metal(connection: Connection) -> tuple[int, int]:
    """(legacy metal partners still metal today, legacy metal partners)."""
    legacy_metal = partner_status.c.legacy_tier != "registered"
    still = partner_status.c.tier != "registered"
    row = connection.execute(
        select(func.coalesce(func.sum(case((still, 1), else_=0)), 0), func.count()).where(
            legacy_metal
        )
    ).one()
    return int(row[0]), int(row[1])


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


def transition_plans(connection: Connection) -> list[TransitionPlanView]:
    rows = connection.execute(
        select(transition_plan, partner_status.c.code, partner_status.c.tier)
        .join(partner_status, partner_status.c.partner_id == transition_plan.c.partner_id)
        .order_by(transition_plan.c.due_on, partner_status.c.code)
    )
    return [
        TransitionPlanView(
            partner=r.code,
            legacy_tier=r.legacy_tier,
            tier=r.tier,
            earned_tier=r.earned_tier,
            floor_tier=r.floor_tier,
            opened_on=r.opened_on,
            due_on=r.due_on,
            lacks=_lacks(
                r.qualified_revenue_short,
                r.specializations_short,
                r.sales_certified_short,
                r.technical_certified_short,
            ),
            milestones_met=[m for m in r.milestones_met.split(",") if m],
            closed_on=r.closed_on,
            close_reason=r.close_reason,
        )
        for r in rows
    ]


def _lacks(revenue: Decimal, specializations: int, sales: int, technical: int) -> str:
    parts = [
        f"{revenue:,.0f} qualified revenue" if revenue else "",
        f"{specializations} specialization(s)" if specializations else "",
        f"{sales} certified sales" if sales else "",
        f"{technical} certified technical" if technical else "",
    ]
    return ", ".join(p for p in parts if p) or "-"


def benefits_totals(connection: Connection) -> BenefitsTotals:
    row = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(protection_benefit.c.engineer_days), 0),
            func.coalesce(func.sum(protection_benefit.c.engineer_days_used), 0),
            func.coalesce(func.sum(case((protection_benefit.c.extended_support, 1), else_=0)), 0),
        )
    ).one()
    return BenefitsTotals(*(int(v) for v in row))
