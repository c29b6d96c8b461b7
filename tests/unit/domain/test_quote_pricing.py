"""Quote pricing: "from now on the cheapest will be the specialist".

Default rules (domain/default_rules.json): base discounts registered 5, silver 10, gold 15,
platinum 20; registration uplifts 10, 10, 15, 20; data-protection bonus 5, endpoint-security 0.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.commands import IssueQuote
from domain.identity import event_id
from domain.ledger import Ledger, QuoteResult
from domain.opportunity import Opportunity
from domain.pricing import Protection, price_quote
from domain.program import Specialization, Tier
from domain.rules import ProgramRules
from tests.builders.program import (
    DP,
    OPP,
    REGISTERED_ON,
    deal_registration,
    default_rules,
    enroll_specialist,
    in_memory_ledger,
    opportunity_events,
)

ES = Specialization.ENDPOINT_SECURITY
RULES = default_rules()


def price(
    list_price: str,
    tier: Tier,
    protection: Protection,
    specialization: Specialization = DP,
    rules: ProgramRules = RULES,
):
    return price_quote(Decimal(list_price), tier, specialization, protection, rules)


# --- the pure price ------------------------------------------------------------------------


def test_holder_gets_tier_base_plus_tier_uplift_plus_specialization_bonus():
    quoted = price("1000", Tier.GOLD, Protection.HOLDER)

    assert quoted.tier_discount == Decimal(15)
    assert quoted.registration_uplift == Decimal(20)  # gold uplift 15 + data-protection bonus 5
    assert quoted.total_discount == Decimal(35)
    assert quoted.net_price == Decimal("650.00")


def test_holder_without_a_specialization_bonus_gets_tier_base_plus_tier_uplift():
    quoted = price("1000", Tier.REGISTERED, Protection.HOLDER, ES)

    assert (quoted.tier_discount, quoted.registration_uplift) == (Decimal(5), Decimal(10))
    assert quoted.net_price == Decimal("850.00")


@pytest.mark.parametrize(
    ("tier", "net"),
    [
        (Tier.REGISTERED, "800.00"),  # 5 + 10 + 5
        (Tier.SILVER, "750.00"),  # 10 + 10 + 5
        (Tier.GOLD, "650.00"),  # 15 + 15 + 5
        (Tier.PLATINUM, "550.00"),  # 20 + 20 + 5
    ],
)
def test_holder_discount_grows_with_its_tier(tier, net):
    assert price("1000", tier, Protection.HOLDER).net_price == Decimal(net)


@pytest.mark.parametrize("tier", list(Tier), ids=lambda t: t.value)
def test_competitor_on_a_protected_deal_gets_the_registered_base_discount(tier):
    quoted = price("1000", tier, Protection.PROTECTED_FOR_ANOTHER)

    assert quoted.tier_discount == Decimal(5)
    assert quoted.registration_uplift == Decimal(0)
    assert quoted.net_price == Decimal("950.00")


def test_competitor_quote_still_records_the_competitors_own_tier():
    quoted = price("1000", Tier.PLATINUM, Protection.PROTECTED_FOR_ANOTHER)

    assert quoted.tier is Tier.PLATINUM


@pytest.mark.parametrize(
    ("tier", "net"),
    [
        (Tier.REGISTERED, "950.00"),
        (Tier.SILVER, "900.00"),
        (Tier.GOLD, "850.00"),
        (Tier.PLATINUM, "800.00"),
    ],
)
def test_unprotected_opportunity_is_quoted_at_the_partners_own_tier_base(tier, net):
    quoted = price("1000", tier, Protection.UNPROTECTED)

    assert quoted.registration_uplift == Decimal(0)
    assert quoted.net_price == Decimal(net)


def test_unprotected_quote_ignores_the_specialization_bonus():
    with_bonus = price("1000", Tier.GOLD, Protection.UNPROTECTED, DP)
    without_bonus = price("1000", Tier.GOLD, Protection.UNPROTECTED, ES)

    assert with_bonus.net_price == without_bonus.net_price


def test_net_price_is_rounded_to_cents():
    quoted = price("999.99", Tier.GOLD, Protection.HOLDER)  # 999.99 * 0.65 = 649.9935

    assert quoted.net_price == Decimal("649.99")
    assert quoted.net_price.as_tuple().exponent == -2


def test_net_price_rounds_half_a_cent_up():
    # 1.50 * 0.95 = 1.425: half-up gives 1.43 where banker's rounding would give 1.42.
    quoted = price("1.50", Tier.REGISTERED, Protection.UNPROTECTED)

    assert quoted.net_price == Decimal("1.43")


def test_net_price_of_a_whole_list_price_still_has_two_decimal_places():
    assert str(price("1000", Tier.GOLD, Protection.HOLDER).net_price) == "650.00"


def test_net_price_is_exact_on_large_list_prices():
    quoted = price("1234567.89", Tier.GOLD, Protection.HOLDER)  # * 0.65 = 802469.1285

    assert quoted.net_price == Decimal("802469.13")


def test_a_zero_list_price_is_quoted_at_zero():
    assert price("0", Tier.GOLD, Protection.HOLDER).net_price == Decimal("0.00")


def test_quote_keeps_the_list_price_and_protection_it_was_priced_with():
    quoted = price("1000", Tier.SILVER, Protection.HOLDER)

    assert quoted.list_price == Decimal(1000)
    assert quoted.protection is Protection.HOLDER


def test_quote_names_the_rules_version_it_applied():
    assert price(
        "1000", Tier.GOLD, Protection.HOLDER, rules=default_rules(version="x.9")
    ).rules_version == ("x.9")


def test_quote_discounts_follow_the_rules_passed_in():
    rules = default_rules(
        tiers=tuple(
            replace(t, registration_uplift=Decimal(12)) if t.tier is Tier.GOLD else t
            for t in RULES.tiers
        )
    )

    quoted = price("1000", Tier.GOLD, Protection.HOLDER, ES, rules)

    assert quoted.net_price == Decimal("730.00")  # 15 + 12


# --- through the ledger --------------------------------------------------------------------

QUOTED_ON = date(2011, 1, 5)
HOLDER_CODE = "antemeta"
HOLDER_NAME = "Antemeta Stockage SA"


def quote(ledger: Ledger, code: str, on: date = QUOTED_ON) -> QuoteResult:
    return ledger.issue_quote(IssueQuote(OPP, code, Decimal(1000), on))


@pytest.fixture
def ledger() -> Ledger:
    """Gold specialist Antemeta holds protection; Platinum Datasafe competes; Acme is new."""
    ledger = in_memory_ledger(RULES)
    enroll_specialist(ledger, HOLDER_CODE, tier=Tier.GOLD, name=HOLDER_NAME)
    enroll_specialist(ledger, "datasafe", tier=Tier.PLATINUM, name="Datasafe")
    ledger.register_deal(deal_registration(HOLDER_CODE, expected_close=date(2011, 2, 1)))
    return ledger


def quote_events(ledger: Ledger) -> list[Any]:
    return [e for e in opportunity_events(ledger) if isinstance(e, Opportunity.QuoteIssued)]


def test_ledger_quotes_the_holder_at_its_tier_base_plus_uplift_plus_bonus(ledger):
    result = quote(ledger, HOLDER_CODE)

    assert result.price.protection is Protection.HOLDER
    assert result.price.net_price == Decimal("650.00")


def test_ledger_quotes_a_higher_tier_competitor_above_the_holder(ledger):
    competitor = quote(ledger, "datasafe")
    holder = quote(ledger, HOLDER_CODE)

    assert competitor.price.protection is Protection.PROTECTED_FOR_ANOTHER
    assert competitor.price.net_price == Decimal("950.00")
    assert holder.price.net_price < competitor.price.net_price


def test_ledger_quotes_each_partner_at_its_own_tier_base_once_protection_expired(ledger):
    expired_on = REGISTERED_ON + timedelta(days=90)

    holder = quote(ledger, HOLDER_CODE, expired_on)
    competitor = quote(ledger, "datasafe", expired_on)

    assert holder.price.protection is Protection.UNPROTECTED
    assert holder.price.net_price == Decimal("850.00")
    assert competitor.price.net_price == Decimal("800.00")


def test_holder_quote_event_cites_the_protection_decision(ledger):
    granted = next(
        e
        for e in ledger.events.get(Opportunity.create_id(OPP))
        if isinstance(e, Opportunity.ExclusivityGranted)
    )

    quote(ledger, HOLDER_CODE)

    (issued,) = quote_events(ledger)
    assert issued.decision_id == event_id(granted.originator_id, granted.originator_version)
    assert issued.protection == "holder"
    assert issued.rules_version == "2010.1"


def test_quote_event_carries_the_discount_breakdown(ledger):
    quote(ledger, HOLDER_CODE)

    (issued,) = quote_events(ledger)
    assert (issued.list_price, issued.tier_discount, issued.registration_uplift) == (
        Decimal(1000),
        Decimal(15),
        Decimal(20),
    )
    assert issued.net_price == Decimal("650.00")
    assert issued.tier is Tier.GOLD


def test_quote_result_names_the_quote_event(ledger):
    result = quote(ledger, HOLDER_CODE)

    (issued,) = quote_events(ledger)
    assert result.quote_id == event_id(issued.originator_id, issued.originator_version)


def test_competitor_is_told_the_opportunity_is_protected(ledger):
    notice = quote(ledger, "datasafe").notice

    assert "protected" in notice


def test_competitor_notice_does_not_name_the_holder(ledger):
    holder_id = UUID(str(ledger.get_partner(HOLDER_CODE).id))

    notice = quote(ledger, "datasafe").notice.lower()

    for identity in (HOLDER_CODE, HOLDER_NAME.lower(), "antemeta", str(holder_id), holder_id.hex):
        assert identity not in notice


def test_competitor_quote_result_carries_nothing_that_identifies_the_holder(ledger):
    holder_id = ledger.get_partner(HOLDER_CODE).id

    shown = repr(quote(ledger, "datasafe")).lower()

    for identity in ("antemeta", str(holder_id), holder_id.hex):
        assert identity not in shown


def test_competitor_quote_event_does_not_cite_the_holders_decision(ledger):
    quote(ledger, "datasafe")

    (issued,) = quote_events(ledger)
    assert issued.decision_id is None
    assert issued.protection == "protected-for-another"


def test_holder_is_told_nothing_about_protection(ledger):
    assert quote(ledger, HOLDER_CODE).notice == ""


def test_unprotected_quote_carries_no_notice(ledger):
    assert quote(ledger, "datasafe", REGISTERED_ON + timedelta(days=90)).notice == ""
