"""Transition plans: how a legacy partner is accompanied into the new program ("pas de rupture").

A partner carried over at a metal tier that, once the transition ends, earns less than its
legacy tier gets one plan: the tier it would earn, what it lacks for its legacy tier, a floor
it keeps while the plan runs, and a due date. Each requirement it meets while the plan runs is
a milestone; the plan closes when the legacy tier is earned again or on its due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from domain.program import Tier
from domain.rules import TIER_ORDER, ProgramRules, Standing, TierTerms


class Milestone(Enum):
    """A requirement of the legacy tier, one milestone each."""

    QUALIFIED_REVENUE = "qualified-revenue"
    SPECIALIZATIONS = "specializations"
    SALES_CERTIFIED = "sales-certified"
    TECHNICAL_CERTIFIED = "technical-certified"


class PlanClosure(Enum):
    LEGACY_TIER_EARNED = "legacy-tier-earned"
    DUE_DATE_PASSED = "due-date-passed"


@dataclass(frozen=True)
class Shortfall:
    """What the standing lacks for a tier's terms (zero where it meets them)."""

    qualified_revenue: Decimal
    specializations: int
    sales_certified: int
    technical_certified: int

    def unmet(self) -> frozenset[Milestone]:
        return frozenset(
            milestone
            for milestone, short in (
                (Milestone.QUALIFIED_REVENUE, self.qualified_revenue),
                (Milestone.SPECIALIZATIONS, self.specializations),
                (Milestone.SALES_CERTIFIED, self.sales_certified),
                (Milestone.TECHNICAL_CERTIFIED, self.technical_certified),
            )
            if short > 0
        )


def shortfall(terms: TierTerms, standing: Standing) -> Shortfall:
    return Shortfall(
        qualified_revenue=max(Decimal(0), terms.min_qualified_revenue - standing.qualified_revenue),
        specializations=max(0, terms.min_specializations - standing.specializations),
        sales_certified=max(0, terms.min_sales_certified - standing.sales_certified),
        technical_certified=max(0, terms.min_technical_certified - standing.technical_certified),
    )


@dataclass(frozen=True)
class TransitionPlan:
    legacy_tier: Tier
    earned_tier: Tier
    floor_tier: Tier
    opened_on: date
    due_on: date
    open_milestones: frozenset[Milestone]
    closed_on: date | None = None

    def runs_on(self, as_of: date) -> bool:
        return self.closed_on is None and as_of < self.due_on


def plan_needed(
    legacy_tier: Tier, already_planned: bool, earned: Tier, rules: ProgramRules
) -> bool:
    """Only a legacy metal partner earning less than its legacy tier, once, if rules plan."""
    return (
        rules.transition_plan_days > 0
        and not already_planned
        and legacy_tier is not Tier.REGISTERED
        and _rank(earned) < _rank(legacy_tier)
    )


def new_plan(
    legacy_tier: Tier, standing: Standing, as_of: date, rules: ProgramRules
) -> TransitionPlan:
    """The plan opened on `as_of`, with the floor the rules give its legacy tier."""
    return TransitionPlan(
        legacy_tier=legacy_tier,
        earned_tier=rules.tier_earned_by(standing),
        floor_tier=rules.transition_plan_floor(legacy_tier),
        opened_on=as_of,
        due_on=as_of + timedelta(days=rules.transition_plan_days),
        open_milestones=shortfall(rules.tier_terms(legacy_tier), standing).unmet(),
    )


def milestones_met(
    plan: TransitionPlan, standing: Standing, rules: ProgramRules
) -> list[Milestone]:
    """Open milestones the standing now meets, in a stable order."""
    unmet = shortfall(rules.tier_terms(plan.legacy_tier), standing).unmet()
    return sorted(plan.open_milestones - unmet, key=lambda m: m.value)


def closure(
    plan: TransitionPlan, standing: Standing, as_of: date, rules: ProgramRules
) -> PlanClosure | None:
    """Why a running plan closes on `as_of`, if it does."""
    if _rank(rules.tier_earned_by(standing)) >= _rank(plan.legacy_tier):
        return PlanClosure.LEGACY_TIER_EARNED
    if as_of >= plan.due_on:
        return PlanClosure.DUE_DATE_PASSED
    return None


def _rank(tier: Tier) -> int:
    return TIER_ORDER.index(tier)
