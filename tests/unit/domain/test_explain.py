"""Re-deriving recorded decisions (domain.explain*): agreement, and what a disagreement names."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.commands import IssueQuote, RecordWin
from domain.explain import comparable, field_checks, rules_applied
from domain.explain_exclusivity import rederive_exclusivity
from domain.explain_quote import rederive_quote
from domain.explain_tier_change import rederive_tier_change
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PROGRAM_ID
from domain.program import Tier
from tests.builders.program import (
    OPP,
    REGISTERED_ON,
    deal_registration,
    default_rules,
    enroll,
    enroll_specialist,
    in_memory_ledger,
    opportunity_events,
)

QUOTED_ON = date(2010, 12, 15)


def test_field_checks_name_each_field_that_differs():
    checks = field_checks({"reason": "granted", "until": None}, {"reason": "denied", "until": None})
    assert [(c.name, c.agrees) for c in checks] == [("reason", False), ("until", True)]


def test_a_field_only_one_side_has_is_a_disagreement():
    (check,) = field_checks({}, {"valid_until": date(2011, 3, 10)})
    assert (check.recorded, check.rederived, check.agrees) == (None, date(2011, 3, 10), False)


def test_ids_lists_enums_and_amounts_compare_in_one_form():
    some_id = UUID(int=7)
    assert comparable([some_id]) == comparable((str(some_id),))
    assert comparable(Tier.GOLD) == "gold"
    assert field_checks({"net": Decimal("65000.00")}, {"net": Decimal(65000)})[0].agrees


def test_rules_the_decision_names_but_that_were_never_published_fall_back_to_those_in_force():
    ledger = in_memory_ledger(default_rules())
    applied = rules_applied(ledger.program(), "1999.9", REGISTERED_ON)
    assert (applied.rules.version, applied.in_force) == ("2010.1", "2010.1")


def specialist_and_rival() -> Ledger:
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta", tier=Tier.SILVER)
    enroll(ledger, "rival")
    ledger.register_deal(deal_registration("antemeta"))
    ledger.register_deal(deal_registration("rival", date(2010, 12, 12)))
    return ledger


def decision_inputs(ledger: Ledger, decision: Any) -> tuple[Any, ...]:
    """What the ledger decided on: the aggregates as they were just before the decision."""
    before = decision.originator_version - 1
    opportunity = ledger.repository.get(decision.originator_id, version=before)
    registration = opportunity_events(ledger)[before - 1]
    registrant = ledger.repository.get(registration.partner_id)
    return opportunity, registration, registrant, ledger.repository.get(PROGRAM_ID)


def recorded(ledger: Ledger, kind: type) -> list[Any]:
    return [e for e in opportunity_events(ledger) if isinstance(e, kind)]


def test_a_granted_and_a_denied_decision_re_derive_and_agree():
    ledger = specialist_and_rival()
    granted = recorded(ledger, Opportunity.ExclusivityGranted)[0]
    denied = recorded(ledger, Opportunity.ExclusivityDenied)[0]
    for decision in (granted, denied):
        found = rederive_exclusivity(decision, *decision_inputs(ledger, decision))
        assert found.agrees, found.disagreements


def test_a_recorded_grant_the_rules_deny_disagrees_on_outcome_reason_and_validity():
    ledger = specialist_and_rival()
    denied = recorded(ledger, Opportunity.ExclusivityDenied)[0]
    forged = Opportunity.ExclusivityGranted(
        originator_id=denied.originator_id,
        originator_version=denied.originator_version,
        timestamp=denied.timestamp,
        partner_id=denied.partner_id,
        reason_code="granted-first-qualified-registrant",
        rules_version=denied.rules_version,
        evidence_event_ids=denied.evidence_event_ids,
        decided_on=denied.decided_on,
        valid_until=date(2011, 3, 12),
    )
    found = rederive_exclusivity(forged, *decision_inputs(ledger, denied))
    assert found.disagreements == ["outcome", "reason_code", "valid_until"]


def test_evidence_names_the_registration_and_the_award_behind_a_grant():
    ledger = specialist_and_rival()
    granted = recorded(ledger, Opportunity.ExclusivityGranted)[0]
    found = rederive_exclusivity(granted, *decision_inputs(ledger, granted))
    cited = {item.event_id for item in found.evidence if item.event_id}
    assert {str(e) for e in granted.evidence_event_ids} <= cited
    assert {item.kind for item in found.evidence} >= {"registration", "specialization", "rules"}


def quoted(ledger: Ledger) -> list[Any]:
    for code in ("antemeta", "rival"):
        ledger.issue_quote(IssueQuote(OPP, code, Decimal(100_000), QUOTED_ON))
    return recorded(ledger, Opportunity.QuoteIssued)


def quote_inputs(ledger: Ledger, quote: Any) -> tuple[Any, ...]:
    before = quote.originator_version - 1
    return (
        ledger.repository.get(quote.originator_id, version=before),
        ledger.repository.get(quote.partner_id),
        ledger.repository.get(PROGRAM_ID),
    )


def test_quotes_to_the_holder_and_to_a_competitor_re_derive_and_agree():
    ledger = specialist_and_rival()
    for quote in quoted(ledger):
        assert rederive_quote(quote, *quote_inputs(ledger, quote)).agrees


def test_a_quote_recorded_below_the_rules_price_disagrees_on_its_net_price():
    ledger = specialist_and_rival()
    competitor_quote = quoted(ledger)[1]
    cut = replace(competitor_quote, net_price=Decimal("60000.00"))
    found = rederive_quote(cut, *quote_inputs(ledger, competitor_quote))
    assert found.disagreements == ["net_price"]


def upgraded_specialist() -> tuple[Ledger, Partner.TierChanged]:
    ledger = specialist_and_rival()
    ledger.record_win(RecordWin(OPP, "antemeta", Decimal(600_000), date(2011, 2, 1)))
    ledger.sweep(date(2011, 11, 1))
    partner_id = Partner.create_id("antemeta")
    (change,) = [e for e in ledger.events.get(partner_id) if isinstance(e, Partner.TierChanged)]
    return ledger, change


def tier_inputs(ledger: Ledger, change: Partner.TierChanged) -> tuple[Any, ...]:
    partner = ledger.repository.get(change.originator_id, version=change.originator_version - 1)
    return partner, ledger.repository.get(PROGRAM_ID)


def test_a_tier_upgrade_re_derives_from_the_revenue_and_award_behind_it():
    ledger, change = upgraded_specialist()
    found = rederive_tier_change(change, *tier_inputs(ledger, change))
    assert found.agrees, found.disagreements
    assert [i.kind for i in found.evidence].count("revenue") == 2  # the credit and the total


def test_a_tier_change_beyond_what_was_earned_disagrees_on_the_tier():
    ledger, change = upgraded_specialist()
    inflated = replace(change, to_tier=Tier.PLATINUM)
    assert rederive_tier_change(inflated, *tier_inputs(ledger, change)).disagreements == ["to_tier"]
