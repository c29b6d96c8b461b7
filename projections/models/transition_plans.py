"""Transition plans: one per legacy partner at most (the domain opens one only), keyed by the
partner, with the milestones met and how the plan closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    case,
    select,
    update,
)

from contracts.wire.envelope import Envelope
from projections.models.partner_status import partner_status
from projections.schema import metadata, tier_value
from projections.writer import BatchWriter, Handler

transition_plan = Table(
    "transition_plan",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("legacy_tier", String(20), nullable=False),
    Column("earned_tier", String(20), nullable=False),
    Column("floor_tier", String(20), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("qualified_revenue_short", Numeric(18, 2), nullable=False),
    Column("specializations_short", Integer, nullable=False),
    Column("sales_certified_short", Integer, nullable=False),
    Column("technical_certified_short", Integer, nullable=False),
    Column("milestones_met", Text, nullable=False),  # comma-separated, in the order met
    Column("closed_on", Date, nullable=True),
    Column("close_reason", String(30), nullable=True),
    Column("rules_version", String(40), nullable=False),
)


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


def plan_opened(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        transition_plan,
        {
            "partner_id": str(e.aggregate_id),
            "event_id": str(e.event_id),
            "legacy_tier": tier_value(p["legacy_tier"]),
            "earned_tier": tier_value(p["earned_tier"]),
            "floor_tier": tier_value(p["floor_tier"]),
            "opened_on": p["opened_on"],
            "due_on": p["due_on"],
            "qualified_revenue_short": p["qualified_revenue_short"],
            "specializations_short": p["specializations_short"],
            "sales_certified_short": p["sales_certified_short"],
            "technical_certified_short": p["technical_certified_short"],
            "milestones_met": "",
            "rules_version": p["rules_version"],
        },
    )


def plan_milestone_met(writer: BatchWriter, e: Envelope) -> None:
    met = transition_plan.c.milestones_met
    # Appended in SQL: a batch may meet several milestones before the row is read back.
    joined = met + case((met == "", ""), else_=",") + e.payload["milestone"]
    writer.execute(
        update(transition_plan)
        .where(transition_plan.c.partner_id == str(e.aggregate_id))
        .values(milestones_met=joined)
    )


def plan_closed(writer: BatchWriter, e: Envelope) -> None:
    writer.execute(
        update(transition_plan)
        .where(transition_plan.c.partner_id == str(e.aggregate_id))
        .values(closed_on=e.payload["closed_on"], close_reason=e.payload["reason"])
    )


HANDLERS: dict[str, Handler] = {
    "partner.transition-plan-opened": plan_opened,
    "partner.transition-plan-milestone-met": plan_milestone_met,
    "partner.transition-plan-closed": plan_closed,
}


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
