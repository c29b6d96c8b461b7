"""The program's rules as versioned data: every decision names the version it applied.

A rule set is a plain value. It travels inside a ``RulesPublished`` event as a document of JSON
primitives (``to_document`` / ``from_document``), so auditors can re-derive any decision from the
exact rules that were in force, and so that changing a threshold is a data change, not a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from domain.errors import InvalidProgramRules
from domain.program import Specialization, Tier

TIER_ORDER = (Tier.REGISTERED, Tier.SILVER, Tier.GOLD, Tier.PLATINUM)


@dataclass(frozen=True)
class TierTerms:
    """What a tier demands and what it earns.

    Discounts are percentage points off list price. The registration uplift is added only for
    the partner holding exclusivity on a registered opportunity.
    """

    tier: Tier
    min_qualified_revenue: Decimal
    min_specializations: int
    base_discount: Decimal
    registration_uplift: Decimal


@dataclass(frozen=True)
class SpecializationTerms:
    """What a partner must show to be awarded a specialization, and its extra uplift."""

    specialization: Specialization
    min_sales_certified: int
    min_technical_certified: int
    uplift_bonus: Decimal


@dataclass(frozen=True)
class ProgramRules:
    version: str
    effective_from: date
    tiers: tuple[TierTerms, ...]
    specializations: tuple[SpecializationTerms, ...]
    max_specialized_partners: int
    qualified_revenue_window_days: int
    registration_validity_days: int
    re_registration_allowed: bool
    tier_review_interval_days: int
    downgrade_grace_days: int
    transition_ends_on: date

    def __post_init__(self) -> None:
        check_rules(self)

    def tier_terms(self, tier: Tier) -> TierTerms:
        return next(terms for terms in self.tiers if terms.tier is tier)

    def specialization_terms(self, specialization: Specialization) -> SpecializationTerms:
        return next(t for t in self.specializations if t.specialization is specialization)

    def tier_earned(self, qualified_revenue: Decimal, specializations_held: int) -> Tier:
        """The highest tier whose revenue and specialization thresholds are both met."""
        earned = Tier.REGISTERED
        for tier in TIER_ORDER:
            terms = self.tier_terms(tier)
            if (
                qualified_revenue >= terms.min_qualified_revenue
                and specializations_held >= terms.min_specializations
            ):
                earned = tier
        return earned

    def registration_expires_on(self, registered_on: date) -> date:
        return registered_on + timedelta(days=self.registration_validity_days)

    def revenue_window_start(self, as_of: date) -> date:
        return as_of - timedelta(days=self.qualified_revenue_window_days)

    def in_transition(self, as_of: date) -> bool:
        """Partners keep their legacy tier until the transition ends: no rupture."""
        return as_of < self.transition_ends_on

    def to_document(self) -> dict[str, Any]:
        """The rule set as JSON primitives (decimals as strings, dates as ISO strings)."""
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "tiers": [
                {
                    "tier": t.tier.value,
                    "min_qualified_revenue": str(t.min_qualified_revenue),
                    "min_specializations": t.min_specializations,
                    "base_discount": str(t.base_discount),
                    "registration_uplift": str(t.registration_uplift),
                }
                for t in self.tiers
            ],
            "specializations": [
                {
                    "specialization": s.specialization.value,
                    "min_sales_certified": s.min_sales_certified,
                    "min_technical_certified": s.min_technical_certified,
                    "uplift_bonus": str(s.uplift_bonus),
                }
                for s in self.specializations
            ],
            "max_specialized_partners": self.max_specialized_partners,
            "qualified_revenue_window_days": self.qualified_revenue_window_days,
            "registration_validity_days": self.registration_validity_days,
            "re_registration_allowed": self.re_registration_allowed,
            "tier_review_interval_days": self.tier_review_interval_days,
            "downgrade_grace_days": self.downgrade_grace_days,
            "transition_ends_on": self.transition_ends_on.isoformat(),
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> ProgramRules:
        """Rebuild a rule set from ``to_document`` output (already validated at the edge)."""
        return cls(
            version=document["version"],
            effective_from=date.fromisoformat(document["effective_from"]),
            tiers=tuple(
                TierTerms(
                    tier=Tier(t["tier"]),
                    min_qualified_revenue=Decimal(t["min_qualified_revenue"]),
                    min_specializations=int(t["min_specializations"]),
                    base_discount=Decimal(t["base_discount"]),
                    registration_uplift=Decimal(t["registration_uplift"]),
                )
                for t in document["tiers"]
            ),
            specializations=tuple(
                SpecializationTerms(
                    specialization=Specialization(s["specialization"]),
                    min_sales_certified=int(s["min_sales_certified"]),
                    min_technical_certified=int(s["min_technical_certified"]),
                    uplift_bonus=Decimal(s["uplift_bonus"]),
                )
                for s in document["specializations"]
            ),
            max_specialized_partners=int(document["max_specialized_partners"]),
            qualified_revenue_window_days=int(document["qualified_revenue_window_days"]),
            registration_validity_days=int(document["registration_validity_days"]),
            re_registration_allowed=bool(document["re_registration_allowed"]),
            tier_review_interval_days=int(document["tier_review_interval_days"]),
            downgrade_grace_days=int(document["downgrade_grace_days"]),
            transition_ends_on=date.fromisoformat(document["transition_ends_on"]),
        )


def check_rules(rules: ProgramRules) -> None:
    """Reject a rule set that could not be applied consistently; the message names the field."""
    tiers = [t.tier for t in rules.tiers]
    if sorted(tiers, key=TIER_ORDER.index) != list(TIER_ORDER) or len(tiers) != len(TIER_ORDER):
        raise InvalidProgramRules("tiers: must list each tier exactly once")
    specializations = {s.specialization for s in rules.specializations}
    if specializations != set(Specialization) or len(rules.specializations) != len(Specialization):
        raise InvalidProgramRules("specializations: must list each of the nine exactly once")
    for lower, higher in pairwise(TIER_ORDER):
        # Higher tiers must demand at least as much and give at least as much, or
        # tier_earned could skip a tier and a competitor could out-discount the holder.
        for attribute in ("min_qualified_revenue", "min_specializations", "base_discount"):
            if getattr(rules.tier_terms(higher), attribute) < getattr(
                rules.tier_terms(lower), attribute
            ):
                raise InvalidProgramRules(
                    f"tiers.{higher.value}.{attribute}: must not be below {lower.value}'s"
                )
    for terms in rules.tiers:
        if terms.registration_uplift < 1:
            # The protected partner must always be quoted below any competitor, even after
            # prices are rounded to the cent: a fraction of a point can vanish in rounding.
            raise InvalidProgramRules(
                f"tiers.{terms.tier.value}.registration_uplift: must be at least 1 point"
            )
        if terms.base_discount + terms.registration_uplift + _max_bonus(rules) >= 100:
            raise InvalidProgramRules(
                f"tiers.{terms.tier.value}: total discount must stay below 100"
            )
    for name in (
        "max_specialized_partners",
        "qualified_revenue_window_days",
        "registration_validity_days",
        "tier_review_interval_days",
    ):
        if getattr(rules, name) < 1:
            raise InvalidProgramRules(f"{name}: must be at least 1")
    if rules.downgrade_grace_days < 0:
        raise InvalidProgramRules("downgrade_grace_days: must not be negative")


def _max_bonus(rules: ProgramRules) -> Decimal:
    return max((s.uplift_bonus for s in rules.specializations), default=Decimal(0))
