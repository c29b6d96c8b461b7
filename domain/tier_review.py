"""Tier review: the tier a partner has earned, with grace before a downgrade, no change during
the transition from the old program, and no rupture after it: a review moves a partner down at
most the rules' number of steps, never below the floor of a transition plan that still runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from domain.program import Tier
from domain.rules import TIER_ORDER, ProgramRules, Standing


class ReviewOutcome(Enum):
    IN_TRANSITION = "in-transition"
    UNCHANGED = "unchanged"
    UPGRADE = "upgrade"
    DOWNGRADE_PENDING = "downgrade-pending"
    DOWNGRADE = "downgrade"
    # Earned less, but a running transition plan's floor keeps the tier held.
    HELD_BY_PLAN = "held-by-plan"

    @property
    def changes_tier(self) -> bool:
        return self in (ReviewOutcome.UPGRADE, ReviewOutcome.DOWNGRADE)

    @property
    def at_risk(self) -> bool:
        """The partner earns less than it holds: a downgrade is coming or only a plan stops it."""
        return self in (ReviewOutcome.DOWNGRADE_PENDING, ReviewOutcome.HELD_BY_PLAN)


@dataclass(frozen=True)
class TierReview:
    outcome: ReviewOutcome
    current: Tier
    earned: Tier
    downgrade_due_on: date | None
    # The tier held after the review: the earned one, or the lowest a downgrade may reach.
    new_tier: Tier


def review_tier(
    current: Tier,
    downgrade_due_on: date | None,
    standing: Standing,
    as_of: date,
    rules: ProgramRules,
    floor: Tier | None = None,
) -> TierReview:
    """Compare the tier held with the tier earned under the rules in force on `as_of`."""
    earned = rules.tier_earned_by(standing)
    if rules.in_transition(as_of):
        return TierReview(ReviewOutcome.IN_TRANSITION, current, earned, None, current)
    if _rank(earned) > _rank(current):
        return TierReview(ReviewOutcome.UPGRADE, current, earned, None, earned)
    if earned is current:
        return TierReview(ReviewOutcome.UNCHANGED, current, earned, None, current)
    target = max(earned, rules.lowest_tier_after_review(current), floor or earned, key=_rank)
    if target is current:
        return TierReview(ReviewOutcome.HELD_BY_PLAN, current, earned, None, current)
    due_on = downgrade_due_on or as_of + timedelta(days=rules.downgrade_grace_days)
    if as_of >= due_on:
        return TierReview(ReviewOutcome.DOWNGRADE, current, earned, None, target)
    return TierReview(ReviewOutcome.DOWNGRADE_PENDING, current, earned, due_on, current)


def review_due(last_reviewed_on: date | None, as_of: date, rules: ProgramRules) -> bool:
    """Reviews are periodic and start when the transition ends."""
    if rules.in_transition(as_of):
        return False
    if last_reviewed_on is None:
        return True
    return as_of >= last_reviewed_on + timedelta(days=rules.tier_review_interval_days)


def _rank(tier: Tier) -> int:
    return TIER_ORDER.index(tier)
