"""Qualified revenue is incremental new business won by whoever registered it with pre-sales
evidence, exclusive or not; a renewal or a deal the vendor's sales engaged never qualifies."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.commands import EngageVendorSales, RecordCertification, RecordWin
from domain.exclusivity import ExclusivityReason
from domain.program import CertificationKind, Tier
from tests.builders.program import (
    DP,
    OPP,
    REGISTERED_ON,
    current_rules,
    deal_registration,
    default_rules,
    enroll,
    in_memory_ledger,
)

WON_ON = REGISTERED_ON + timedelta(days=30)
TRANSITION_ENDS = date(2011, 11, 1)


def certified_reseller(ledger, code: str = "reseller") -> None:
    """A partner without any specialization, with the people Gold asks for."""
    enroll(ledger, code, Tier.REGISTERED)
    for name, kind in (
        ("Ann", CertificationKind.SALES),
        ("Amy", CertificationKind.SALES),
        ("Bob", CertificationKind.TECHNICAL),
        ("Ben", CertificationKind.TECHNICAL),
    ):
        ledger.record_certification(
            RecordCertification(code, name, kind, DP, date(2010, 11, 15), date(2013, 11, 15))
        )


def win(ledger, code: str = "reseller", amount: int = 500_000) -> bool:
    return ledger.record_win(RecordWin(OPP, code, Decimal(amount), WON_ON))


def test_a_non_specialist_registration_with_pre_sales_work_is_registered_not_exclusive():
    ledger = in_memory_ledger(current_rules())
    certified_reseller(ledger)

    result = ledger.register_deal(deal_registration("reseller"))

    assert result.decision.reason is ExclusivityReason.REGISTERED_NOT_EXCLUSIVE
    assert not result.decision.granted
    assert result.decision.valid_until is not None
    assert ledger.get_opportunity(OPP).protection is None


def test_a_certified_non_specialist_winning_registered_new_business_earns_qualified_revenue():
    ledger = in_memory_ledger(current_rules())
    certified_reseller(ledger)
    ledger.register_deal(deal_registration("reseller"))

    assert win(ledger)

    revenue, credits = ledger.get_partner("reseller").qualified_revenue(WON_ON, current_rules())
    assert (revenue, len(credits)) == (Decimal(500_000), 1)


def test_a_certified_non_specialist_reaches_gold_on_qualified_revenue():
    ledger = in_memory_ledger(current_rules())
    certified_reseller(ledger)
    ledger.register_deal(deal_registration("reseller"))
    win(ledger)

    ledger.sweep(TRANSITION_ENDS)

    assert ledger.get_partner("reseller").tier is Tier.GOLD


def test_a_renewal_never_qualifies():
    ledger = in_memory_ledger(current_rules())
    certified_reseller(ledger)
    ledger.register_deal(deal_registration("reseller", new_business=False))

    assert not win(ledger)


def test_a_deal_the_vendors_sales_engaged_never_qualifies():
    ledger = in_memory_ledger(current_rules())
    certified_reseller(ledger)
    ledger.engage_vendor_sales(EngageVendorSales(OPP, "Acme", DP, REGISTERED_ON, "named account"))
    ledger.register_deal(deal_registration("reseller"))

    assert not win(ledger)


def test_a_win_by_a_partner_that_never_registered_does_not_qualify():
    ledger = in_memory_ledger(current_rules())
    certified_reseller(ledger)
    certified_reseller(ledger, "bystander")
    ledger.register_deal(deal_registration("reseller"))

    assert not win(ledger, "bystander")


@pytest.mark.parametrize("evidence", ["", "  "])
def test_a_registration_without_pre_sales_evidence_never_qualifies(evidence):
    ledger = in_memory_ledger(current_rules())
    certified_reseller(ledger)
    ledger.register_deal(deal_registration("reseller", evidence=evidence))

    assert not win(ledger)


def test_under_2010_1_only_a_win_under_exclusivity_qualified():
    ledger = in_memory_ledger(default_rules())
    certified_reseller(ledger)
    decision = ledger.register_deal(deal_registration("reseller")).decision

    assert decision.reason is ExclusivityReason.NOT_SPECIALIZED
    assert not win(ledger)
