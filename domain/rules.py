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
from domain.rules_document import (
    LEGACY_PROGRAM_FIELDS,
    LEGACY_TIER_FIELDS,
    RULES_DOCUMENT_VERSION,
    upcast_rules_document,
)

TIER_ORDER = (Tier.REGISTERED, Tier.SILVER, Tier.GOLD, Tier.PLATINUM)
_LEGACY_PLAN_FLOOR = Tier(LEGACY_PROGRAM_FIELDS["transition_plan_lowest_floor"])


@dataclass(frozen=True)
class TierTerms:
    """What a tier demands and what it earns.

    Discounts are percentage points off list price. The registration uplift is added only for
    the partner holding exclusivity on a registered opportunity; the smaller non-exclusive
    uplift rewards a partner that did the pre-sales work without being the area's specialist.
    Certified people are distinct individuals with an active certification of that kind, in
    any specialization, on the review date. Defaults are what version 1 documents meant.
    """

    tier: Tier
    min_qualified_revenue: Decimal
    min_specializations: int
    base_discount: Decimal
    registration_uplift: Decimal
    min_sales_certified: int = LEGACY_TIER_FIELDS["min_sales_certified"]
    min_technical_certified: int = LEGACY_TIER_FIELDS["min_technical_certified"]
    non_exclusive_uplift: Decimal = Decimal(LEGACY_TIER_FIELDS["non_exclusive_uplift"])

    def met_by(self, standing: Standing) -> bool:
        return (
            standing.qualified_revenue >= self.min_qualified_revenue
            and standing.specializations >= self.min_specializations
            and standing.sales_certified >= self.min_sales_certified
            and standing.technical_certified >= self.min_technical_certified
        )


@dataclass(frozen=True)
class Standing:
    """What a tier review measures of a partner on the review date."""

    qualified_revenue: Decimal
    specializations: int
    sales_certified: int = 0
    technical_certified: int = 0


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
    # A review moves a partner down at most this many tiers ("no rupture").
    max_downgrade_steps: int = LEGACY_PROGRAM_FIELDS["max_downgrade_steps"]
    qualified_revenue_requires_exclusivity: bool = LEGACY_PROGRAM_FIELDS[
        "qualified_revenue_requires_exclusivity"
    ]
    non_exclusive_registration_allowed: bool = LEGACY_PROGRAM_FIELDS[
        "non_exclusive_registration_allowed"
    ]
    # How long a legacy partner's transition plan runs; 0: no plans.
    transition_plan_days: int = LEGACY_PROGRAM_FIELDS["transition_plan_days"]
    # A plan's floor is one review's step below the legacy tier, but never below this tier
    # ("nous conservons nos métaux": Silver keeps a legacy metal partner metal while it runs).
    transition_plan_lowest_floor: Tier = _LEGACY_PLAN_FLOOR
    # Benefits of protection, granted with an exclusivity and ended with it.
    presales_engineer_days: int = LEGACY_PROGRAM_FIELDS["presales_engineer_days"]
    extended_support: bool = LEGACY_PROGRAM_FIELDS["extended_support"]

    def __post_init__(self) -> None:
        check_rules(self)

    def tier_terms(self, tier: Tier) -> TierTerms:
        return next(terms for terms in self.tiers if terms.tier is tier)

    def specialization_terms(self, specialization: Specialization) -> SpecializationTerms:
        return next(t for t in self.specializations if t.specialization is specialization)

    def tier_earned(
        self,
        qualified_revenue: Decimal,
        specializations_held: int,
        sales_certified: int = 0,
        technical_certified: int = 0,
    ) -> Tier:
        """The highest tier whose thresholds (revenue, specializations, people) are all met."""
        standing = Standing(
            qualified_revenue, specializations_held, sales_certified, technical_certified
        )
        return self.tier_earned_by(standing)

    def tier_earned_by(self, standing: Standing) -> Tier:
        earned = Tier.REGISTERED
        for tier in TIER_ORDER:
            if self.tier_terms(tier).met_by(standing):
                earned = tier
        return earned

    def lowest_tier_after_review(self, current: Tier) -> Tier:
        """How far one review may move a partner down from `current`."""
        return TIER_ORDER[max(0, TIER_ORDER.index(current) - self.max_downgrade_steps)]

    def transition_plan_floor(self, legacy_tier: Tier) -> Tier:
        """The tier a legacy partner keeps while its plan runs (never above its legacy tier)."""
        rank = max(
            TIER_ORDER.index(self.lowest_tier_after_review(legacy_tier)),
            TIER_ORDER.index(self.transition_plan_lowest_floor),
        )
        return TIER_ORDER[min(rank, TIER_ORDER.index(legacy_tier))]

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
            "document_version": RULES_DOCUMENT_VERSION,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "tiers": [
                {
                    "tier": t.tier.value,
                    "min_qualified_revenue": str(t.min_qualified_revenue),
                    "min_specializations": t.min_specializations,
                    "base_discount": str(t.base_discount),
                    "registration_uplift": str(t.registration_uplift),
                    "min_sales_certified": t.min_sales_certified,
                    "min_technical_certified": t.min_technical_certified,
                    "non_exclusive_uplift": str(t.non_exclusive_uplift),
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
            "max_downgrade_steps": self.max_downgrade_steps,
            "qualified_revenue_requires_exclusivity": self.qualified_revenue_requires_exclusivity,
            "non_exclusive_registration_allowed": self.non_exclusive_registration_allowed,
            "transition_plan_days": self.transition_plan_days,
            "transition_plan_lowest_floor": self.transition_plan_lowest_floor.value,
            "presales_engineer_days": self.presales_engineer_days,
            "extended_support": self.extended_support,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> ProgramRules:
        """Rebuild a rule set from ``to_document`` output of any version (validated at the edge)."""
        document = upcast_rules_document(document)
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
                    min_sales_certified=int(t["min_sales_certified"]),
                    min_technical_certified=int(t["min_technical_certified"]),
                    non_exclusive_uplift=Decimal(t["non_exclusive_uplift"]),
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
            max_downgrade_steps=int(document["max_downgrade_steps"]),
            qualified_revenue_requires_exclusivity=bool(
                document["qualified_revenue_requires_exclusivity"]
            ),
            non_exclusive_registration_allowed=bool(document["non_exclusive_registration_allowed"]),
            transition_plan_days=int(document["transition_plan_days"]),
            transition_plan_lowest_floor=Tier(document["transition_plan_lowest_floor"]),
            presales_engineer_days=int(document["presales_engineer_days"]),
            extended_support=bool(document["extended_support"]),
        )


def check_rules(rules: ProgramRules) -> None:
    """Reject a rule set that could not be applied consistently; the message names the field."""
    _check_each_listed_once(rules)
    _check_ladder_rises(rules)
    _check_specialist_cheapest(rules)
    _check_counts(rules)


def _check_each_listed_once(rules: ProgramRules) -> None:
    tiers = [t.tier for t in rules.tiers]
    if sorted(tiers, key=TIER_ORDER.index) != list(TIER_ORDER) or len(tiers) != len(TIER_ORDER):
        raise InvalidProgramRules("tiers: must list each tier exactly once")
    specializations = {s.specialization for s in rules.specializations}
    if specializations != set(Specialization) or len(rules.specializations) != len(Specialization):
        raise InvalidProgramRules("specializations: must list each of the nine exactly once")


def _check_ladder_rises(rules: ProgramRules) -> None:
    for lower, higher in pairwise(TIER_ORDER):
        # Higher tiers must demand at least as much and give at least as much, or
        # tier_earned could skip a tier and a competitor could out-discount the holder.
        for attribute in (
            "min_qualified_revenue",
            "min_specializations",
            "min_sales_certified",
            "min_technical_certified",
            "base_discount",
        ):
            if getattr(rules.tier_terms(higher), attribute) < getattr(
                rules.tier_terms(lower), attribute
            ):
                raise InvalidProgramRules(
                    f"tiers.{higher.value}.{attribute}: must not be below {lower.value}'s"
                )


def _check_specialist_cheapest(rules: ProgramRules) -> None:
    for terms in rules.tiers:
        if terms.non_exclusive_uplift < 0:
            raise InvalidProgramRules(
                f"tiers.{terms.tier.value}.non_exclusive_uplift: must not be negative"
            )
        if terms.registration_uplift < 1:
            # The protected partner must always be quoted below any competitor, even after
            # prices are rounded to the cent: a fraction of a point can vanish in rounding.
            raise InvalidProgramRules(
                f"tiers.{terms.tier.value}.registration_uplift: must be at least 1 point"
            )
        if terms.registration_uplift - _max_non_exclusive_uplift(rules) < 1:
            # "Le moins cher sera le spécialiste": a non-exclusive registrant of any tier is
            # quoted Registered's base plus its own non-exclusive uplift next to a holder, so
            # every holder's uplift must beat every non-exclusive uplift by a whole point.
            raise InvalidProgramRules(
                f"tiers.{terms.tier.value}.registration_uplift: must exceed every tier's "
                "non_exclusive_uplift by at least 1 point"
            )
        if terms.base_discount + terms.registration_uplift + _max_bonus(rules) >= 100:
            raise InvalidProgramRules(
                f"tiers.{terms.tier.value}: total discount must stay below 100"
            )


def _check_counts(rules: ProgramRules) -> None:
    for name in (
        "max_specialized_partners",
        "qualified_revenue_window_days",
        "registration_validity_days",
        "tier_review_interval_days",
    ):
        if getattr(rules, name) < 1:
            raise InvalidProgramRules(f"{name}: must be at least 1")
    for name in (
        "downgrade_grace_days",
        "transition_plan_days",
        "presales_engineer_days",
    ):
        if getattr(rules, name) < 0:
            raise InvalidProgramRules(f"{name}: must not be negative")
    if rules.max_downgrade_steps < 1:
        # Zero would keep every partner at its tier forever, whatever it earns.
        raise InvalidProgramRules("max_downgrade_steps: must be at least 1")


def _max_non_exclusive_uplift(rules: ProgramRules) -> Decimal:
    return max(t.non_exclusive_uplift for t in rules.tiers)


def _max_bonus(rules: ProgramRules) -> Decimal:
    return max((s.uplift_bonus for s in rules.specializations), default=Decimal(0))
