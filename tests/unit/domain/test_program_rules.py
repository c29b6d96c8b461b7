"""ProgramRules as a pure value: the questions it answers and the rule sets it refuses.

The rule sets here are built in the test, not read from domain/default_rules.json, so that a
change to the published defaults cannot silently change what these tests prove.
"""

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidProgramRules
from domain.program import Specialization, Tier
from domain.rules import ProgramRules, SpecializationTerms, TierTerms

LADDER = {
    # tier: (min revenue, min specializations, base discount, registration uplift)
    Tier.REGISTERED: ("0", 0, "5", "10"),
    Tier.SILVER: ("100000", 1, "10", "10"),
    Tier.GOLD: ("500000", 1, "15", "15"),
    Tier.PLATINUM: ("1500000", 2, "20", "20"),
}


def tier_terms() -> tuple[TierTerms, ...]:
    return tuple(
        TierTerms(
            tier=tier,
            min_qualified_revenue=Decimal(revenue),
            min_specializations=specializations,
            base_discount=Decimal(base),
            registration_uplift=Decimal(uplift),
        )
        for tier, (revenue, specializations, base, uplift) in LADDER.items()
    )


def specialization_terms(bonus: str = "0") -> tuple[SpecializationTerms, ...]:
    return tuple(
        SpecializationTerms(
            specialization=specialization,
            min_sales_certified=1,
            min_technical_certified=2,
            uplift_bonus=Decimal(bonus),
        )
        for specialization in Specialization
    )


def make_rules(**changes: Any) -> ProgramRules:
    fields: dict[str, Any] = {
        "version": "test.1",
        "effective_from": date(2010, 11, 1),
        "tiers": tier_terms(),
        "specializations": specialization_terms(),
        "max_specialized_partners": 19,
        "qualified_revenue_window_days": 365,
        "registration_validity_days": 90,
        "re_registration_allowed": True,
        "tier_review_interval_days": 90,
        "downgrade_grace_days": 90,
        "transition_ends_on": date(2011, 11, 1),
    }
    return ProgramRules(**{**fields, **changes})


def tiers_with(tier: Tier, **changes: Any) -> tuple[TierTerms, ...]:
    return tuple(replace(t, **changes) if t.tier is tier else t for t in tier_terms())


def rejected(field_message: str) -> Any:
    # str(InvalidProgramRules) appends the rule name; the message itself starts with the field.
    return pytest.raises(InvalidProgramRules, match=f"^{re.escape(field_message)}")


# --- tier_earned ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        ("0", Tier.REGISTERED),
        ("99999.99", Tier.REGISTERED),
        ("100000", Tier.SILVER),
        ("499999.99", Tier.SILVER),
        ("500000", Tier.GOLD),
        ("1499999.99", Tier.GOLD),
        ("1500000", Tier.PLATINUM),
        ("90000000", Tier.PLATINUM),
    ],
)
def test_tier_earned_starts_exactly_at_each_revenue_threshold(revenue, expected):
    assert make_rules().tier_earned(Decimal(revenue), specializations_held=2) is expected


@pytest.mark.parametrize(
    ("specializations_held", "expected"),
    [(0, Tier.REGISTERED), (1, Tier.GOLD), (2, Tier.PLATINUM), (9, Tier.PLATINUM)],
)
def test_tier_earned_is_capped_by_the_specializations_held(specializations_held, expected):
    revenue = Decimal(2_000_000)  # enough for any tier

    assert make_rules().tier_earned(revenue, specializations_held) is expected


def test_no_metal_tier_without_a_specialization_whatever_the_revenue():
    assert make_rules().tier_earned(Decimal(10**9), specializations_held=0) is Tier.REGISTERED


def test_specializations_without_revenue_earn_nothing_above_registered():
    assert make_rules().tier_earned(Decimal(0), specializations_held=9) is Tier.REGISTERED


# --- dates ---------------------------------------------------------------------------------


def test_partners_are_in_transition_the_day_before_it_ends():
    assert make_rules().in_transition(date(2011, 10, 31))


def test_transition_is_over_on_the_day_it_ends():
    assert not make_rules().in_transition(date(2011, 11, 1))


def test_transition_is_over_after_it_ends():
    assert not make_rules().in_transition(date(2012, 6, 1))


def test_partners_are_in_transition_from_the_program_start():
    assert make_rules().in_transition(date(2010, 11, 1))


def test_registration_expires_after_the_validity_period():
    assert make_rules().registration_expires_on(date(2010, 11, 15)) == date(2011, 2, 13)


def test_registration_validity_is_taken_from_the_rules():
    rules = make_rules(registration_validity_days=180)

    assert rules.registration_expires_on(date(2010, 11, 15)) == date(2011, 5, 14)


def test_revenue_window_reaches_back_the_configured_number_of_days():
    assert make_rules().revenue_window_start(date(2011, 11, 1)) == date(2010, 11, 1)


def test_revenue_window_counts_days_not_calendar_years():
    # 2012 is a leap year: 365 days before 1 March 2012 is 2 March 2011, not 1 March.
    assert make_rules().revenue_window_start(date(2012, 3, 1)) == date(2011, 3, 2)


# --- lookups -------------------------------------------------------------------------------


def test_tier_terms_are_found_by_tier_whatever_the_listed_order():
    rules = make_rules(tiers=tuple(reversed(tier_terms())))

    assert rules.tier_terms(Tier.GOLD).base_discount == Decimal(15)


def test_specialization_terms_are_found_by_specialization():
    rules = make_rules(specializations=specialization_terms(bonus="3"))

    assert rules.specialization_terms(Specialization.IT_COMPLIANCE).uplift_bonus == Decimal(3)


# --- document round trip -------------------------------------------------------------------


def test_document_round_trip_gives_an_equal_rule_set():
    rules = make_rules()

    assert ProgramRules.from_document(rules.to_document()) == rules


def test_document_survives_json_encoding():
    rules = make_rules(tiers=tiers_with(Tier.GOLD, base_discount=Decimal("15.50")))

    document = json.loads(json.dumps(rules.to_document()))

    assert ProgramRules.from_document(document) == rules


def test_document_keeps_the_written_scale_of_decimals():
    rules = make_rules(tiers=tiers_with(Tier.GOLD, base_discount=Decimal("15.50")))

    gold = next(t for t in rules.to_document()["tiers"] if t["tier"] == "gold")

    assert gold["base_discount"] == "15.50"


def test_document_writes_dates_as_iso_strings():
    document = make_rules().to_document()

    assert (document["effective_from"], document["transition_ends_on"]) == (
        "2010-11-01",
        "2011-11-01",
    )


# --- check_rules: what it accepts ----------------------------------------------------------


def test_equal_revenue_thresholds_on_adjacent_tiers_are_accepted():
    rules = make_rules(tiers=tiers_with(Tier.GOLD, min_qualified_revenue=Decimal(100_000)))

    assert rules.tier_earned(Decimal(100_000), specializations_held=1) is Tier.GOLD


def test_zero_downgrade_grace_is_accepted():
    assert make_rules(downgrade_grace_days=0).downgrade_grace_days == 0


def test_total_discount_just_below_100_is_accepted():
    tiers = tiers_with(Tier.PLATINUM, registration_uplift=Decimal("74.99"))

    rules = make_rules(tiers=tiers, specializations=specialization_terms(bonus="5"))

    assert rules.tier_terms(Tier.PLATINUM).registration_uplift == Decimal("74.99")


# --- check_rules: what it rejects ----------------------------------------------------------


def test_rule_set_missing_a_tier_is_rejected():
    with rejected("tiers: must list each tier exactly once"):
        make_rules(tiers=tier_terms()[:3])


def test_rule_set_listing_a_tier_twice_is_rejected():
    silver = tier_terms()[1]

    with rejected("tiers: must list each tier exactly once"):
        make_rules(tiers=(*tier_terms(), silver))


def test_rule_set_missing_a_specialization_is_rejected():
    with rejected("specializations: must list each of the nine exactly once"):
        make_rules(specializations=specialization_terms()[:8])


def test_rule_set_listing_a_specialization_twice_is_rejected():
    first = specialization_terms()[0]

    with rejected("specializations: must list each of the nine exactly once"):
        make_rules(specializations=(*specialization_terms(), first))


def test_higher_tier_with_a_lower_revenue_threshold_is_rejected():
    with rejected("tiers.platinum.min_qualified_revenue: must not be below gold's"):
        make_rules(tiers=tiers_with(Tier.PLATINUM, min_qualified_revenue=Decimal(499_999)))


def test_tier_base_discount_below_the_tier_beneath_is_rejected():
    # A competitor on a protected deal is quoted Registered's base; the holder must not start
    # from less, and higher tiers never earn less than lower ones.
    with rejected("tiers.gold.base_discount: must not be below silver's"):
        make_rules(tiers=tiers_with(Tier.GOLD, base_discount=Decimal("4.99")))


def test_tier_base_discount_equal_to_registered_is_accepted():
    rules = make_rules(tiers=tiers_with(Tier.SILVER, base_discount=Decimal(5)))

    assert rules.tier_terms(Tier.SILVER).base_discount == Decimal(5)


@pytest.mark.parametrize("uplift", ["0", "-1"])
def test_registration_uplift_that_is_not_positive_is_rejected(uplift):
    with rejected("tiers.silver.registration_uplift: must be at least 1 point"):
        make_rules(tiers=tiers_with(Tier.SILVER, registration_uplift=Decimal(uplift)))


def test_total_discount_reaching_100_with_the_largest_bonus_is_rejected():
    # 20 base + 75 uplift + 5 bonus: the specialist would be given the product.
    tiers = tiers_with(Tier.PLATINUM, registration_uplift=Decimal(75))

    with rejected("tiers.platinum: total discount must stay below 100"):
        make_rules(tiers=tiers, specializations=specialization_terms(bonus="5"))


@pytest.mark.parametrize(
    "field",
    [
        "max_specialized_partners",
        "qualified_revenue_window_days",
        "registration_validity_days",
        "tier_review_interval_days",
    ],
)
def test_count_below_one_is_rejected(field):
    with rejected(f"{field}: must be at least 1"):
        make_rules(**{field: 0})


def test_negative_downgrade_grace_is_rejected():
    with rejected("downgrade_grace_days: must not be negative"):
        make_rules(downgrade_grace_days=-1)


def test_rejection_names_the_rule_it_enforces():
    with pytest.raises(InvalidProgramRules) as raised:
        make_rules(downgrade_grace_days=-1)

    assert raised.value.rule == "program-rules-consistent"
    assert raised.value.message == "downgrade_grace_days: must not be negative"
