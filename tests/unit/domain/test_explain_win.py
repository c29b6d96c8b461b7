"""Whether a win counted as qualified revenue re-derives from the opportunity just before it:
new business, registered with pre-sales evidence before the vendor's sales engaged it, won by
the partner that registered it (under 2010.1: only under its own exclusivity)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.commands import EngageVendorSales, RecordWin
from domain.explain_win import rederive_win
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.partner_program import PROGRAM_ID
from domain.program import Tier
from tests.builders.program import (
    DP,
    OPP,
    REGISTERED_ON,
    current_rules,
    deal_registration,
    default_rules,
    enroll,
    enroll_specialist,
    in_memory_ledger,
    opportunity_events,
)

WON_ON = REGISTERED_ON + timedelta(days=30)


def won(ledger: Ledger, code: str) -> Any:
    """Record `code`'s win and return the recorded event."""
    ledger.record_win(RecordWin(OPP, code, Decimal(100_000), WON_ON))
    return opportunity_events(ledger)[-1]


def rederived(ledger: Ledger, win: Any) -> Any:
    before = ledger.repository.get(win.originator_id, version=win.originator_version - 1)
    return rederive_win(win, before, ledger.repository.get(PROGRAM_ID))


def holder_and_rival(rules: Any) -> Ledger:
    """antemeta (the specialist) holds the protection; rival registered after it."""
    ledger = in_memory_ledger(rules)
    enroll_specialist(ledger, "antemeta")
    enroll(ledger, "rival", Tier.SILVER)
    ledger.register_deal(deal_registration("antemeta"))
    ledger.register_deal(deal_registration("rival", REGISTERED_ON + timedelta(days=1)))
    return ledger


@pytest.mark.parametrize(
    ("rules", "winner", "qualified"),
    [
        (current_rules(), "antemeta", True),  # the holder
        (current_rules(), "rival", True),  # its own registration of incremental business
        (default_rules(), "antemeta", True),
        (default_rules(), "rival", False),  # 2010.1: only under the winner's exclusivity
    ],
    ids=["holder-2010.2", "other-registrant-2010.2", "holder-2010.1", "other-registrant-2010.1"],
)
def test_a_win_re_derives_its_qualified_flag_and_the_decision_behind_it(rules, winner, qualified):
    ledger = holder_and_rival(rules)
    win = won(ledger, winner)

    found = rederived(ledger, win)

    assert win.qualified is qualified
    assert found.agrees, found.disagreements
    assert [c.name for c in found.checks] == ["qualified", "decision_id", "rules_version"]


def test_a_renewal_a_vendor_engaged_deal_and_a_winner_who_never_registered_do_not_qualify():
    ledger = in_memory_ledger(current_rules())
    enroll_specialist(ledger, "antemeta")
    enroll(ledger, "outsider", Tier.SILVER)
    for reference, new_business in (("renewal-deal", False), ("vendor-deal", True)):
        if reference == "vendor-deal":
            ledger.engage_vendor_sales(
                EngageVendorSales(reference, f"{reference} customer", DP, REGISTERED_ON, "")
            )
        registration = deal_registration("antemeta", opportunity=reference)
        ledger.register_deal(replace(registration, new_business=new_business))
    ledger.register_deal(deal_registration("antemeta"))

    wins = []
    for reference, winner in (("renewal-deal", "antemeta"), ("vendor-deal", "antemeta")):
        ledger.record_win(RecordWin(reference, winner, Decimal(1000), WON_ON))
        wins.append(opportunity_events(ledger, reference)[-1])
    wins.append(won(ledger, "outsider"))

    for win in wins:
        found = rederived(ledger, win)
        assert (win.qualified, found.agrees) == (False, True), found.disagreements
    evidence = rederived(ledger, wins[-1]).evidence
    assert "the winner never registered the opportunity" in {e.detail for e in evidence}


def test_a_win_recorded_as_qualified_against_the_rule_is_a_disagreement():
    ledger = holder_and_rival(default_rules())
    win = won(ledger, "rival")

    forged = replace(
        win, qualified=True, decision_id=ledger.get_opportunity(OPP).decisions[1].decision_id
    )

    assert rederived(ledger, forged).disagreements == ["qualified", "decision_id"]


def test_the_evidence_names_the_winners_registration_the_protection_and_the_rules():
    ledger = holder_and_rival(current_rules())
    win = won(ledger, "antemeta")

    found = rederived(ledger, win)

    kinds = [e.kind for e in found.evidence]
    assert kinds == ["registration", "protection", "terms", "rules"]
    cited = {e.event_id for e in found.evidence}
    assert str(win.decision_id) in cited
    assert isinstance(win, Opportunity.Won)
