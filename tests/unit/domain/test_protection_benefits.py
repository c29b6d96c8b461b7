"""Benefits of protection: vendor pre-sales engineer days and extended support come with an
exclusivity, are drawn only by its holder within the grant, and end with it."""

from datetime import timedelta

import pytest

from domain.commands import ConsumeEngineerDays, RecordWin
from domain.errors import EngineerDaysExhausted, NonPositiveDays, NoProtectionBenefits
from domain.identity import event_id
from domain.opportunity import Opportunity
from domain.program import Tier
from tests.builders.program import (
    OPP,
    REGISTERED_ON,
    current_rules,
    deal_registration,
    default_rules,
    enroll,
    enroll_specialist,
    in_memory_ledger,
    opportunity_events,
    stored_count,
)

RULES = current_rules()
LATER = REGISTERED_ON + timedelta(days=5)


def protected_deal(rules=RULES):
    ledger = in_memory_ledger(rules)
    enroll_specialist(ledger, "antemeta")
    enroll(ledger, "reseller", Tier.SILVER)
    ledger.register_deal(deal_registration("antemeta"))
    return ledger


def draw(ledger, code: str = "antemeta", days: int = 2) -> None:
    ledger.consume_engineer_days(ConsumeEngineerDays(OPP, code, days, LATER, "workshop"))


def of_type(ledger, kind: type) -> list:
    return [e for e in opportunity_events(ledger) if isinstance(e, kind)]


def test_a_protection_comes_with_the_engineer_days_and_support_the_rules_give():
    ledger = protected_deal()

    [granted] = of_type(ledger, Opportunity.BenefitsGranted)
    [decision] = of_type(ledger, Opportunity.ExclusivityGranted)
    assert granted.presales_engineer_days == RULES.presales_engineer_days
    assert granted.extended_support is RULES.extended_support
    assert granted.decision_id == ledger.get_opportunity(OPP).protection.decision_id
    assert granted.partner_id == decision.partner_id


def test_the_holder_draws_engineer_days_against_its_protection():
    ledger = protected_deal()

    draw(ledger, days=2)

    assert (
        ledger.get_opportunity(OPP).benefits.engineer_days_left == RULES.presales_engineer_days - 2
    )


def test_drawing_more_days_than_granted_is_refused_and_nothing_is_written():
    ledger = protected_deal()
    before = stored_count(ledger)

    with pytest.raises(EngineerDaysExhausted, match="left of"):
        draw(ledger, days=RULES.presales_engineer_days + 1)
    assert stored_count(ledger) == before


def test_a_partner_without_the_protection_cannot_draw_the_vendors_engineers():
    ledger = protected_deal()
    before = stored_count(ledger)

    with pytest.raises(NoProtectionBenefits, match="reserved to the partner protected"):
        draw(ledger, code="reseller", days=1)
    assert stored_count(ledger) == before


def test_zero_days_is_refused():
    with pytest.raises(NonPositiveDays, match="at least 1"):
        draw(protected_deal(), days=0)


def test_benefits_end_with_the_protection_and_say_what_was_left():
    ledger = protected_deal()
    draw(ledger, days=2)

    ledger.record_win(
        RecordWin(OPP, "antemeta", deal_registration("antemeta").estimated_value, LATER)
    )

    [ended] = of_type(ledger, Opportunity.BenefitsEnded)
    assert (ended.reason, ended.unused_engineer_days) == (
        "opportunity-won",
        RULES.presales_engineer_days - 2,
    )
    assert ledger.get_opportunity(OPP).benefits is None


def test_benefits_end_when_the_protection_expires():
    ledger = protected_deal()
    valid_until = ledger.get_opportunity(OPP).protection.valid_until

    ledger.sweep(valid_until)

    [ended] = of_type(ledger, Opportunity.BenefitsEnded)
    assert (ended.reason, ended.ended_on) == ("protection-expired", valid_until)


def test_rules_without_benefits_grant_none():
    ledger = protected_deal(default_rules())

    assert of_type(ledger, Opportunity.BenefitsGranted) == []
    with pytest.raises(NoProtectionBenefits):
        draw(ledger, days=1)


def test_the_registration_names_the_grant_as_its_decision_not_the_benefits_after_it():
    ledger = in_memory_ledger(RULES)
    enroll_specialist(ledger, "antemeta")

    result = ledger.register_deal(deal_registration("antemeta"))

    [granted] = of_type(ledger, Opportunity.ExclusivityGranted)
    assert str(result.decision_id) == str(
        event_id(granted.originator_id, granted.originator_version)
    )


def test_a_draw_that_names_no_partner_is_taken_from_the_holders_grant():
    ledger = protected_deal()

    drawn = ledger.consume_engineer_days(ConsumeEngineerDays(OPP, None, 2, LATER, ""))

    assert (drawn.partner_code, drawn.days, drawn.days_left, drawn.days_granted) == (
        "antemeta",
        2,
        RULES.presales_engineer_days - 2,
        RULES.presales_engineer_days,
    )
    assert drawn.decision_id == ledger.get_opportunity(OPP).protection.decision_id


def test_a_draw_on_an_opportunity_without_protection_says_none_is_in_force():
    ledger = in_memory_ledger(RULES)
    enroll(ledger, "reseller", Tier.SILVER)
    ledger.register_deal(deal_registration("reseller"))  # preferential conditions, no protection
    before = stored_count(ledger)

    with pytest.raises(NoProtectionBenefits, match="no protection in force"):
        ledger.consume_engineer_days(ConsumeEngineerDays(OPP, None, 1, LATER, ""))
    assert stored_count(ledger) == before
