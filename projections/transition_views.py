"""Read models of the transition: tier reviews that changed nothing (tiers at risk), the
legacy partners' transition plans, and the benefits that came with each protection.

Handlers follow projections.program_views: one per event type, inside the projector's
transaction, each event seen once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, update

from contracts.wire.envelope import Envelope
from projections.program_views import BatchWriter, Handler
from projections.tables import protection_benefit, tier_review, transition_plan

Writer = BatchWriter


def _tier(value: Any) -> str | None:
    return None if value is None else str(value.value)


def tier_reviewed(writer: Writer, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        tier_review,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "reviewed_on": p["reviewed_on"],
            "outcome": p["outcome"],
            "tier": _tier(p["tier"]),
            "earned_tier": _tier(p["earned_tier"]),
            "floor_tier": _tier(p["floor_tier"]),
            "downgrade_due_on": p["downgrade_due_on"],
            "qualified_revenue": p["qualified_revenue"],
            "rules_version": p["rules_version"],
            "position": e.position,
        },
    )


def plan_opened(writer: Writer, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        transition_plan,
        {
            "partner_id": str(e.aggregate_id),
            "event_id": str(e.event_id),
            "legacy_tier": _tier(p["legacy_tier"]),
            "earned_tier": _tier(p["earned_tier"]),
            "floor_tier": _tier(p["floor_tier"]),
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


def plan_milestone_met(writer: Writer, e: Envelope) -> None:
    met = transition_plan.c.milestones_met
    # Appended in SQL: a batch may meet several milestones before the row is read back.
    joined = met + case((met == "", ""), else_=",") + e.payload["milestone"]
    writer.execute(
        update(transition_plan)
        .where(transition_plan.c.partner_id == str(e.aggregate_id))
        .values(milestones_met=joined)
    )


def plan_closed(writer: Writer, e: Envelope) -> None:
    writer.execute(
        update(transition_plan)
        .where(transition_plan.c.partner_id == str(e.aggregate_id))
        .values(closed_on=e.payload["closed_on"], close_reason=e.payload["reason"])
    )


def benefits_granted(writer: Writer, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        protection_benefit,
        {
            "decision_id": str(p["decision_id"]),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "engineer_days": p["presales_engineer_days"],
            "engineer_days_used": 0,
            "extended_support": p["extended_support"],
            "granted_on": p["granted_on"],
            "rules_version": p["rules_version"],
        },
    )


def engineer_days_consumed(writer: Writer, e: Envelope) -> None:
    used = protection_benefit.c.engineer_days_used
    writer.execute(
        update(protection_benefit)
        .where(protection_benefit.c.decision_id == str(e.payload["decision_id"]))
        .values(engineer_days_used=used + e.payload["days"])
    )


def benefits_ended(writer: Writer, e: Envelope) -> None:
    writer.execute(
        update(protection_benefit)
        .where(protection_benefit.c.decision_id == str(e.payload["decision_id"]))
        .values(ended_on=e.payload["ended_on"], end_reason=e.payload["reason"])
    )


TRANSITION_HANDLERS: dict[str, Handler] = {
    "partner.tier-reviewed": tier_reviewed,
    "partner.transition-plan-opened": plan_opened,
    "partner.transition-plan-milestone-met": plan_milestone_met,
    "partner.transition-plan-closed": plan_closed,
    "opportunity.benefits-granted": benefits_granted,
    "opportunity.engineer-days-consumed": engineer_days_consumed,
    "opportunity.benefits-ended": benefits_ended,
}
