"""An opportunity's protection from grant to its end, and how the opportunity closes.

Driven through the ledger on an in-memory store, so that "nothing is saved on a rejected
command" is checked on the store itself.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.commands import (
    EngageVendorSales,
    IssueQuote,
    RecordLoss,
    RecordWin,
    RegisterDeal,
    ReleaseExclusivity,
)
from domain.errors import (
    BlankReference,
    BusinessDateBeforeHistory,
    NegativeAmount,
    NotProtectionHolder,
    OpportunityClosed,
    OpportunityDetailsConflict,
    UnknownOpportunity,
    UnknownPartner,
)
from domain.identity import event_id
from domain.ledger import Ledger, RegistrationResult
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.pricing import Protection
from domain.program import Specialization
from tests.builders.program import (
    DP,
    OPP,
    REGISTERED_ON,
    deal_registration,
    default_rules,
    enroll_specialist,
    in_memory_ledger,
    opportunity_events,
    stored_count,
)

VALID_UNTIL = REGISTERED_ON + timedelta(days=90)  # default rules: 90 days of validity
WON_ON = date(2011, 1, 20)
RULES = default_rules()


def register(
    ledger: Ledger, code: str, on: date = REGISTERED_ON, value: Decimal = Decimal(250_000)
) -> RegistrationResult:
    return ledger.register_deal(deal_registration(code, on, value=value))


def quote(ledger: Ledger, code: str, on: date, list_price: Decimal = Decimal(1000)):
    return ledger.issue_quote(IssueQuote(OPP, code, list_price, on))


def win(ledger: Ledger, code: str, on: date = WON_ON, amount: Decimal = Decimal(240_000)):
    return ledger.record_win(RecordWin(OPP, code, amount, on))


def lose(ledger: Ledger, on: date = WON_ON) -> None:
    ledger.record_loss(RecordLoss(OPP, on, "customer chose another vendor"))


def release(ledger: Ledger, code: str, on: date = WON_ON) -> None:
    ledger.release_exclusivity(ReleaseExclusivity(OPP, code, on, "customer postponed"))


def close(ledger: Ledger, outcome: str) -> None:
    if outcome == "won":
        win(ledger, "antemeta", WON_ON)
    else:
        lose(ledger, WON_ON)


@pytest.fixture
def ledger() -> Ledger:
    """Two specialized partners; Antemeta holds protection on the opportunity."""
    ledger = in_memory_ledger(RULES)
    enroll_specialist(ledger, "antemeta")
    enroll_specialist(ledger, "datasafe")
    assert register(ledger, "antemeta").decision.granted
    return ledger


# --- expiry --------------------------------------------------------------------------------


def test_protection_is_still_held_the_day_before_valid_until(ledger):
    result = quote(ledger, "antemeta", VALID_UNTIL - timedelta(days=1))

    assert result.price.protection is Protection.HOLDER


def test_protection_expires_lazily_on_the_next_command_at_valid_until(ledger):
    result = quote(ledger, "antemeta", VALID_UNTIL)

    assert result.price.protection is Protection.UNPROTECTED
    assert ledger.get_opportunity(OPP).protection is None


def test_lazy_expiry_is_recorded_before_the_command_that_noticed_it(ledger):
    quote(ledger, "antemeta", VALID_UNTIL + timedelta(days=5))

    expired, quoted = opportunity_events(ledger)[-2:]
    assert isinstance(expired, Opportunity.ExclusivityExpired)
    assert isinstance(quoted, Opportunity.QuoteIssued)


def test_expiry_is_dated_at_valid_until_even_when_noticed_later(ledger):
    quote(ledger, "antemeta", VALID_UNTIL + timedelta(days=5))

    expired = opportunity_events(ledger)[-2]
    assert expired.expired_on == VALID_UNTIL


def test_expiry_names_the_decision_and_the_partner_it_ends(ledger):
    granted = opportunity_events(ledger)[-1]

    quote(ledger, "antemeta", VALID_UNTIL)

    expired = opportunity_events(ledger)[-2]
    assert expired.decision_id == event_id(granted.originator_id, granted.originator_version)
    assert expired.partner_id == Partner.create_id("antemeta")


def test_sweep_expires_protection_at_valid_until(ledger):
    report = ledger.sweep(VALID_UNTIL)

    assert report.protections_expired == 1
    assert ledger.get_opportunity(OPP).protection is None
    assert isinstance(opportunity_events(ledger)[-1], Opportunity.ExclusivityExpired)


def test_sweep_before_valid_until_leaves_protection_in_place(ledger):
    count = stored_count(ledger)

    report = ledger.sweep(VALID_UNTIL - timedelta(days=1))

    assert report.protections_expired == 0
    assert ledger.get_opportunity(OPP).protection is not None
    assert len(opportunity_events(ledger)) == 4  # opened, identified, registered, granted
    # Nothing recorded on the opportunity; its holder is told, once, that it lapses in 7 days.
    assert report.notices_issued == 1
    assert stored_count(ledger) == count + 1


def test_a_second_sweep_does_not_expire_the_same_protection_again(ledger):
    ledger.sweep(VALID_UNTIL)
    events = len(opportunity_events(ledger))

    report = ledger.sweep(VALID_UNTIL + timedelta(days=1))

    assert report.protections_expired == 0
    assert len(opportunity_events(ledger)) == events


def test_sweep_leaves_closed_opportunities_alone(ledger):
    win(ledger, "antemeta")
    events = len(opportunity_events(ledger))

    report = ledger.sweep(VALID_UNTIL + timedelta(days=1))

    assert report.protections_expired == 0
    assert len(opportunity_events(ledger)) == events


# --- release -------------------------------------------------------------------------------


def test_the_holder_releases_its_protection(ledger):
    release(ledger, "antemeta")

    assert ledger.get_opportunity(OPP).protection is None
    released = opportunity_events(ledger)[-1]
    assert isinstance(released, Opportunity.ExclusivityReleased)
    assert released.reason == "customer postponed"


def test_after_a_release_another_partner_can_be_granted(ledger):
    release(ledger, "antemeta")

    assert register(ledger, "datasafe", WON_ON + timedelta(days=1)).decision.granted


def test_only_the_holder_can_release_protection(ledger):
    count = stored_count(ledger)

    with pytest.raises(NotProtectionHolder):
        release(ledger, "datasafe")

    assert stored_count(ledger) == count
    assert ledger.get_opportunity(OPP).protection.partner_id == Partner.create_id("antemeta")


def test_releasing_an_expired_protection_is_refused_and_writes_nothing(ledger):
    count = stored_count(ledger)

    with pytest.raises(NotProtectionHolder):
        release(ledger, "antemeta", VALID_UNTIL)

    assert stored_count(ledger) == count


def test_releasing_an_unprotected_opportunity_is_refused(ledger):
    release(ledger, "antemeta")

    with pytest.raises(NotProtectionHolder):
        release(ledger, "antemeta", WON_ON + timedelta(days=1))


# --- outcome -------------------------------------------------------------------------------


def test_win_by_the_holder_is_qualified(ledger):
    assert win(ledger, "antemeta") is True

    won = opportunity_events(ledger)[-1]
    assert isinstance(won, Opportunity.Won)
    assert won.qualified


def test_qualified_win_cites_the_protection_decision(ledger):
    granted = opportunity_events(ledger)[-1]

    win(ledger, "antemeta")

    won = opportunity_events(ledger)[-1]
    assert won.decision_id == event_id(granted.originator_id, granted.originator_version)


def test_win_by_the_holder_credits_the_partners_qualified_revenue(ledger):
    win(ledger, "antemeta", amount=Decimal("240000.50"))

    partner = ledger.get_partner("antemeta")
    revenue, credits = partner.qualified_revenue(WON_ON, RULES)
    assert revenue == Decimal("240000.50")
    credited = list(ledger.events.get(partner.id))[-1]
    assert isinstance(credited, Partner.QualifiedRevenueCredited)
    assert credits == [event_id(partner.id, credited.originator_version)]


def test_qualified_revenue_credit_names_the_opportunity_and_the_win(ledger):
    win(ledger, "antemeta")

    credited = list(ledger.events.get(Partner.create_id("antemeta")))[-1]
    won = opportunity_events(ledger)[-1]
    assert credited.opportunity_id == Opportunity.create_id(OPP)
    assert credited.decision_id == event_id(won.originator_id, won.originator_version)
    assert credited.won_on == WON_ON


def test_qualified_revenue_counts_within_the_trailing_window(ledger):
    win(ledger, "antemeta")

    partner = ledger.get_partner("antemeta")
    assert partner.qualified_revenue(WON_ON + timedelta(days=364), RULES)[0] == 240_000


def test_qualified_revenue_leaves_the_window_after_its_days(ledger):
    win(ledger, "antemeta")

    partner = ledger.get_partner("antemeta")
    assert partner.qualified_revenue(WON_ON + timedelta(days=365), RULES) == (Decimal(0), [])


def test_qualified_revenue_does_not_count_a_win_after_the_as_of_date(ledger):
    win(ledger, "antemeta")

    partner = ledger.get_partner("antemeta")
    assert partner.qualified_revenue(WON_ON - timedelta(days=1), RULES)[0] == 0


def test_win_by_another_partner_is_not_qualified(ledger):
    assert win(ledger, "datasafe") is False

    assert not opportunity_events(ledger)[-1].qualified
    assert opportunity_events(ledger)[-1].decision_id is None


def test_win_by_another_partner_credits_nobody(ledger):
    win(ledger, "datasafe")

    for code in ("antemeta", "datasafe"):
        assert ledger.get_partner(code).revenue_credits == []


def test_win_by_the_holder_after_expiry_is_not_qualified(ledger):
    assert win(ledger, "antemeta", VALID_UNTIL) is False

    assert ledger.get_partner("antemeta").revenue_credits == []


def test_win_closes_the_opportunity_and_ends_its_protection(ledger):
    win(ledger, "antemeta")

    opportunity = ledger.get_opportunity(OPP)
    assert opportunity.outcome.won_by == Partner.create_id("antemeta")
    assert opportunity.protection is None


def test_loss_closes_the_opportunity_and_ends_its_protection(ledger):
    lose(ledger)

    opportunity = ledger.get_opportunity(OPP)
    assert opportunity.outcome is not None
    assert opportunity.outcome.won_by is None
    assert opportunity.protection is None
    assert isinstance(opportunity_events(ledger)[-1], Opportunity.Lost)


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_quoting_a_closed_opportunity_raises_opportunity_closed(ledger, outcome):
    close(ledger, outcome)
    count = stored_count(ledger)

    with pytest.raises(OpportunityClosed):
        quote(ledger, "antemeta", WON_ON + timedelta(days=1))

    assert stored_count(ledger) == count


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_winning_a_closed_opportunity_raises_opportunity_closed(ledger, outcome):
    close(ledger, outcome)
    count = stored_count(ledger)

    with pytest.raises(OpportunityClosed):
        win(ledger, "antemeta", WON_ON + timedelta(days=1))

    assert stored_count(ledger) == count
    assert len(ledger.get_partner("antemeta").revenue_credits) == (1 if outcome == "won" else 0)


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_losing_a_closed_opportunity_raises_opportunity_closed(ledger, outcome):
    close(ledger, outcome)
    count = stored_count(ledger)

    with pytest.raises(OpportunityClosed):
        lose(ledger, WON_ON + timedelta(days=1))

    assert stored_count(ledger) == count


def test_engaging_vendor_sales_on_a_closed_opportunity_raises_opportunity_closed(ledger):
    lose(ledger)
    count = stored_count(ledger)

    with pytest.raises(OpportunityClosed):
        ledger.engage_vendor_sales(
            EngageVendorSales(OPP, "Acme", DP, WON_ON + timedelta(days=1), "too late")
        )

    assert stored_count(ledger) == count


# --- rejected commands write nothing -------------------------------------------------------


def test_negative_estimated_value_raises_and_writes_nothing():
    ledger = in_memory_ledger(RULES)
    enroll_specialist(ledger, "antemeta")
    count = stored_count(ledger)

    with pytest.raises(NegativeAmount):
        register(ledger, "antemeta", value=Decimal("-0.01"))

    assert stored_count(ledger) == count


def test_negative_estimated_value_on_a_known_opportunity_writes_nothing(ledger):
    count = stored_count(ledger)

    with pytest.raises(NegativeAmount):
        register(ledger, "datasafe", REGISTERED_ON + timedelta(days=1), value=Decimal(-1))

    assert stored_count(ledger) == count


def test_negative_list_price_raises_and_writes_nothing(ledger):
    count = stored_count(ledger)

    with pytest.raises(NegativeAmount):
        quote(ledger, "antemeta", WON_ON, Decimal("-100"))

    assert stored_count(ledger) == count


def test_negative_win_amount_raises_and_writes_nothing(ledger):
    count = stored_count(ledger)

    with pytest.raises(NegativeAmount):
        win(ledger, "antemeta", amount=Decimal("-5"))

    assert stored_count(ledger) == count
    assert ledger.get_opportunity(OPP).outcome is None


def test_negative_amount_noticed_after_expiry_does_not_save_the_expiry(ledger):
    count = stored_count(ledger)

    with pytest.raises(NegativeAmount):
        win(ledger, "antemeta", VALID_UNTIL + timedelta(days=1), Decimal(-5))

    assert stored_count(ledger) == count


def test_a_zero_win_amount_is_accepted(ledger):
    assert win(ledger, "antemeta", amount=Decimal(0)) is True


def test_quoting_an_unknown_opportunity_raises_and_writes_nothing(ledger):
    count = stored_count(ledger)

    with pytest.raises(UnknownOpportunity):
        ledger.issue_quote(IssueQuote("opp-nobody", "antemeta", Decimal(10), WON_ON))

    assert stored_count(ledger) == count


def test_winning_for_an_unknown_partner_raises_and_writes_nothing(ledger):
    count = stored_count(ledger)

    with pytest.raises(UnknownPartner):
        win(ledger, "nobody")

    assert stored_count(ledger) == count


def test_registering_a_reference_for_another_customer_raises_and_writes_nothing(ledger):
    count = stored_count(ledger)

    with pytest.raises(OpportunityDetailsConflict):
        ledger.register_deal(
            RegisterDeal(
                OPP,
                "Globex",
                DP,
                "datasafe",
                Decimal(1),
                WON_ON,
                "demo",
                True,
                REGISTERED_ON + timedelta(days=1),
            )
        )

    assert stored_count(ledger) == count


def test_registering_under_a_blank_reference_raises_and_writes_nothing():
    ledger = in_memory_ledger(RULES)
    enroll_specialist(ledger, "antemeta")
    count = stored_count(ledger)

    with pytest.raises(BlankReference):
        ledger.register_deal(
            RegisterDeal(
                "  ", "Acme", DP, "antemeta", Decimal(1), WON_ON, "demo", True, REGISTERED_ON
            )
        )

    assert stored_count(ledger) == count


def test_backdated_commands_on_an_opportunity_are_refused():
    opportunity = Opportunity.open(
        "backdated", "ACME", Specialization.DATA_PROTECTION, date(2011, 1, 10)
    )
    with pytest.raises(BusinessDateBeforeHistory):
        opportunity.record_loss(date(2011, 1, 9), "typo in the date")
    assert opportunity.outcome is None
