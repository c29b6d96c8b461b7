"""Re-deriving a tier review (a change, a pending downgrade, a tier held by a transition plan)
from the partner's revenue credits, certified people and specializations."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.explain import (
    EvidenceItem,
    Rederivation,
    RulesApplied,
    field_checks,
    rules_applied,
    rules_evidence,
)
from domain.partner import Partner
from domain.partner_events import TierChanged, TierReviewed
from domain.partner_program import PartnerProgram
from domain.program import Tier
from domain.rules import TIER_ORDER, ProgramRules, Standing
from domain.tier_review import TierReview, review_tier


def review_again(
    partner: Partner, on: date, rules: ProgramRules
) -> tuple[TierReview, Standing, list[UUID], Tier | None]:
    """Review as `Partner.review_tier` does, on the partner as it was just before."""
    standing, credits = partner.standing(on, rules)
    floor = partner.plan_floor(on)
    review = review_tier(partner.tier, partner.downgrade_due_on, standing, on, rules, floor)
    return review, standing, credits, floor


def rederive_tier_review(
    recorded: TierReviewed, partner: Partner, program: PartnerProgram
) -> Rederivation:
    """A review that changed no tier: unchanged, downgrade pending, or held by a plan."""
    on = recorded.reviewed_on
    applied = rules_applied(program, recorded.rules_version, on)
    review, standing, _, floor = review_again(partner, on, applied.rules)
    checks = field_checks(
        {
            "review": recorded.outcome,
            "tier": recorded.tier,
            "earned_tier": recorded.earned_tier,
            "qualified_revenue": recorded.qualified_revenue,
            "downgrade_due_on": recorded.downgrade_due_on,
            "floor_tier": recorded.floor_tier,
            "rules_version": recorded.rules_version,
        },
        {
            "review": review.outcome,
            "tier": review.current,
            "earned_tier": review.earned,
            "qualified_revenue": standing.qualified_revenue,
            "downgrade_due_on": review.downgrade_due_on,
            "floor_tier": floor,
            "rules_version": applied.in_force,
        },
    )
    return Rederivation(checks, _evidence(partner, on, applied, program, review, standing, floor))


def rederive_tier_change(
    recorded: TierChanged, partner: Partner, program: PartnerProgram
) -> Rederivation:
    """Review again, as `Partner.review_tier` did, with the partner as it was just before."""
    on = recorded.reviewed_on
    applied = rules_applied(program, recorded.rules_version, on)
    review, standing, credits, floor = review_again(partner, on, applied.rules)
    revenue = standing.qualified_revenue
    upgrade = TIER_ORDER.index(recorded.to_tier) > TIER_ORDER.index(recorded.from_tier)
    held = sorted(partner.specializations.values(), key=lambda s: s.specialization.value)
    checks = field_checks(
        {
            "review": "upgrade" if upgrade else "downgrade",
            "from_tier": recorded.from_tier,
            "to_tier": recorded.to_tier,
            "qualified_revenue": recorded.qualified_revenue,
            "specializations_held": recorded.specializations_held,
            "evidence_event_ids": recorded.evidence_event_ids,
            "rules_version": recorded.rules_version,
        },
        {
            "review": review.outcome,
            "from_tier": review.current,
            "to_tier": review.new_tier,
            "qualified_revenue": revenue,
            "specializations_held": [s.specialization for s in held],
            # In the order Partner.review_tier cites them: credits, then awards.
            "evidence_event_ids": credits
            + [s.award_event_id for s in partner.specializations.values()],
            "rules_version": applied.in_force,
        },
    )
    evidence = _evidence(partner, on, applied, program, review, standing, floor)
    return Rederivation(checks, evidence)


def _evidence(
    partner: Partner,
    on: date,
    applied: RulesApplied,
    program: PartnerProgram,
    review: TierReview,
    standing: Standing,
    floor: Tier | None,
) -> tuple[EvidenceItem, ...]:
    held = sorted(partner.specializations.values(), key=lambda s: s.specialization.value)
    window_start = applied.rules.revenue_window_start(on)
    return (
        EvidenceItem(
            "tier",
            f"{partner.code} held {partner.tier.value} on {on}"
            + (f", downgrade due {partner.downgrade_due_on}" if partner.downgrade_due_on else ""),
        ),
        EvidenceItem(
            "standing",
            f"earned {review.earned.value}: {standing.sales_certified} sales and "
            f"{standing.technical_certified} technical certified people; at most "
            f"{applied.rules.max_downgrade_steps} step(s) down per review"
            + (f"; transition plan floor {floor.value}" if floor else ""),
        ),
        *(
            EvidenceItem("revenue", f"{c.amount} won on {c.won_on}", str(c.credit_event_id))
            for c in partner.revenue_credits
            if window_start < c.won_on <= on
        ),
        EvidenceItem(
            "revenue", f"qualified revenue {standing.qualified_revenue} after {window_start}"
        ),
        *(
            EvidenceItem(
                "specialization",
                f"{s.specialization.value} awarded {s.awarded_on}",
                str(s.award_event_id),
            )
            for s in held
        ),
        rules_evidence(program, applied),
    )
