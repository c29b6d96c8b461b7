"""Tier review: the tier a partner has earned, with grace before a downgrade and no change
during the transition from the old program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from domain.program import Tier
from domain.rules import TIER_ORDER, ProgramRules


class ReviewOutcome(Enum):
    IN_TRANSITION = "in-transition"
    UNCHANGED = "unchanged"
    UPGRADE = "upgrade"
    DOWNGRADE_PENDING = "downgrade-pending"
    DOWNGRADE = "downgrade"

    @property
    def changes_tier(self) -> bool:
        return self in (ReviewOutcome.UPGRADE, ReviewOutcome.DOWNGRADE)


@dataclass(frozen=True)
class TierReview:
    outcome: ReviewOutcome
    current: Tier
    earned: Tier
    downgrade_due_on: date | None


def review_tier(
    current: Tier,
    downgrade_due_on: date | None,
    qualified_revenue: Decimal,
    specializations_held: int,
    as_of: date,
    rules: ProgramRules,
) -> TierReview:
    """Compare the tier held with the tier earned under the rules in force on `as_of`."""
    earned = rules.tier_earned(qualified_revenue, specializations_held)
    if rules.in_transition(as_of):
        return TierReview(ReviewOutcome.IN_TRANSITION, current, earned, None)
    if TIER_ORDER.index(earned) > TIER_ORDER.index(current):
        return TierReview(ReviewOutcome.UPGRADE, current, earned, None)
    if earned is current:
        return TierReview(ReviewOutcome.UNCHANGED, current, earned, None)
    due_on = downgrade_due_on or as_of + timedelta(days=rules.downgrade_grace_days)
    if as_of >= due_on:
        return TierReview(ReviewOutcome.DOWNGRADE, current, earned, None)
    return TierReview(ReviewOutcome.DOWNGRADE_PENDING, current, earned, due_on)


def review_due(last_reviewed_on: date | None, as_of: date, rules: ProgramRules) -> bool:
    """Reviews are periodic and start when the transition ends."""
    if rules.in_transition(as_of):
        return False
    if last_reviewed_on is None:
        return True
    return as_of >= last_reviewed_on + timedelta(days=rules.tier_review_interval_days)
