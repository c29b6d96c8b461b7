""" "Le moins cher sera le spécialiste", now across the three kinds of quote on a protected deal:
the exclusive specialist, a partner that registered its pre-sales work without exclusivity,
and any other partner. Property-tested under random valid rules (fifty examples each)."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidProgramRules
from domain.pricing import Protection, price_quote
from domain.program import Specialization, Tier
from domain.rules import ProgramRules
from tests.builders.program import current_rules
from tests.unit.domain.test_program_invariants import (
    FAST,
    list_prices,
    percentage_points,
    pricing_rules,
    specializations,
    tiers,
)

OTHERS = (Protection.PREFERRED_PROTECTED_FOR_ANOTHER, Protection.PROTECTED_FOR_ANOTHER)


@st.composite
def rules_with_non_exclusive_uplifts(draw) -> ProgramRules:
    """Random discounts and uplifts, each non-exclusive uplift as high as check_rules allows."""
    rules = draw(pricing_rules(min_uplift="2"))
    ceiling = min(t.registration_uplift for t in rules.tiers) - 1
    tiers_ = tuple(
        replace(t, non_exclusive_uplift=draw(percentage_points("0", str(ceiling))))
        for t in rules.tiers
    )
    return replace(rules, tiers=tiers_, non_exclusive_registration_allowed=True)


def others_quotes(list_price, specialization, rules) -> list[Decimal]:
    return [
        price_quote(list_price, tier, specialization, kind, rules).net_price
        for tier in Tier
        for kind in OTHERS
    ]


@FAST
@given(list_price=list_prices, holder=tiers, specialization=specializations)
def test_the_specialist_is_strictly_cheapest_under_the_current_rules(
    list_price, holder, specialization
):
    rules = current_rules()
    quoted = price_quote(list_price, holder, specialization, Protection.HOLDER, rules)

    assert all(
        quoted.net_price < other for other in others_quotes(list_price, specialization, rules)
    )


@FAST
@given(
    list_price=list_prices,
    holder=tiers,
    specialization=specializations,
    rules=rules_with_non_exclusive_uplifts(),
)
def test_the_specialist_is_strictly_cheapest_under_random_valid_rules(
    list_price, holder, specialization, rules
):
    quoted = price_quote(list_price, holder, specialization, Protection.HOLDER, rules)

    assert all(
        quoted.net_price < other for other in others_quotes(list_price, specialization, rules)
    )


@FAST
@given(list_price=list_prices, tier=tiers, specialization=specializations)
def test_pre_sales_work_without_exclusivity_is_quoted_below_a_plain_competitor(
    list_price, tier, specialization
):
    rules = current_rules()
    preferred = price_quote(list_price, tier, specialization, OTHERS[0], rules).net_price
    plain = price_quote(list_price, tier, specialization, OTHERS[1], rules).net_price

    assert preferred <= plain
    if list_price >= 100:
        assert preferred < plain


def test_without_a_holder_a_non_exclusive_registrant_gets_its_own_tier_and_the_smaller_uplift():
    rules = current_rules()
    gold = rules.tier_terms(Tier.GOLD)

    quoted = price_quote(
        Decimal(1000), Tier.GOLD, Specialization.DATA_PROTECTION, Protection.PREFERRED, rules
    )

    assert (quoted.tier_discount, quoted.registration_uplift) == (
        gold.base_discount,
        gold.non_exclusive_uplift,
    )


def test_rules_refuse_a_non_exclusive_uplift_that_would_reach_a_holders_uplift():
    rules = current_rules()
    tiers_ = tuple(
        replace(t, non_exclusive_uplift=t.registration_uplift) if t.tier is Tier.PLATINUM else t
        for t in rules.tiers
    )

    with pytest.raises(InvalidProgramRules, match="must exceed every tier's non_exclusive_uplift"):
        replace(rules, tiers=tiers_)
