"""A partner's statement on its own registration (infra.audit.statement over domain.statement):
the outcome, the rule, what counted, what would have changed it, and never another partner."""

from dataclasses import asdict
from datetime import date

import pytest

from domain.commands import RecordCertification
from domain.ledger import Ledger
from domain.program import CertificationKind, Tier
from infra.audit.statement import NoStatement, statement_for
from tests.builders.program import (
    CERTIFIED_ON,
    CERTIFIED_UNTIL,
    DP,
    OPP,
    REGISTERED_ON,
    current_rules,
    deal_registration,
    default_rules,
    enroll,
    enroll_specialist,
    in_memory_ledger,
)

LATER = date(2010, 12, 12)


def specialist_and_rival() -> Ledger:
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta", tier=Tier.SILVER)
    enroll(ledger, "rival")
    ledger.record_certification(
        RecordCertification(
            "rival", "Dee", CertificationKind.TECHNICAL, DP, CERTIFIED_ON, CERTIFIED_UNTIL
        )
    )
    ledger.register_deal(deal_registration("antemeta"))
    ledger.register_deal(deal_registration("rival", LATER))
    return ledger


def text_of(statement: object) -> str:
    return repr(asdict(statement))  # type: ignore[call-overload]


def test_the_protected_specialist_is_told_it_was_granted_and_what_counted():
    found = statement_for(specialist_and_rival(), OPP, "antemeta")
    assert (found.outcome, found.reason_code) == ("granted", "granted-first-qualified-registrant")
    assert found.valid_until is not None
    assert found.decided_on == REGISTERED_ON
    assert "the data-protection specialization" in found.counted
    assert "2 technical certified individuals in data-protection" in found.counted
    assert found.would_change == ()


def test_a_late_unspecialized_registrant_learns_the_people_and_agreement_missing_not_who():
    found = statement_for(specialist_and_rival(), OPP, "rival")
    assert (found.outcome, found.reason_code) == ("denied", "denied-not-specialized")
    assert found.would_change == (
        "one more sales certified individual in data-protection",
        "one more technical certified individual in data-protection",
        "the data-protection specialization awarded under a signed agreement",
        "registering before the opportunity was protected",
    )
    assert "1 technical certified individual in data-protection" in found.counted
    assert "antemeta" not in text_of(found).lower()


def test_registering_after_anothers_protection_says_only_that_it_was_protected():
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    enroll_specialist(ledger, "guardian")
    ledger.register_deal(deal_registration("antemeta"))
    ledger.register_deal(deal_registration("guardian", LATER))
    found = statement_for(ledger, OPP, "guardian")
    assert found.rule == "the opportunity was already protected"
    assert found.would_change == ("registering before the opportunity was protected",)
    assert "antemeta" not in text_of(found).lower()


def test_no_presales_evidence_and_a_renewal_are_each_named():
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    ledger.register_deal(deal_registration("antemeta", evidence=" ", new_business=False))
    found = statement_for(ledger, OPP, "antemeta")
    assert found.reason_code == "denied-renewal"
    assert found.would_change == (
        "new business (a renewal is never protected)",
        "pre-sales evidence with the registration",
    )
    assert {"a renewal", "no pre-sales evidence"} <= set(found.counted)


def test_a_suspected_conflict_waits_for_review_without_naming_the_other_opportunity():
    ledger = in_memory_ledger(current_rules())
    enroll_specialist(ledger, "antemeta")
    enroll_specialist(ledger, "guardian")
    ledger.register_deal(deal_registration("antemeta"))
    second = "opp-acme-archive"
    ledger.register_deal(
        deal_registration("guardian", LATER, opportunity=second, end_customer="ACME")
    )
    found = statement_for(ledger, second, "guardian")
    assert (found.outcome, found.rule) == ("pending", "waiting for a channel manager's review")
    assert OPP not in text_of(found)
    assert "antemeta" not in text_of(found).lower()


def test_as_of_picks_the_decision_in_force_then():
    ledger = specialist_and_rival()
    with pytest.raises(NoStatement, match="decided on or before 2010-12-11"):
        statement_for(ledger, OPP, "rival", as_of=date(2010, 12, 11))
    assert statement_for(ledger, OPP, "rival", as_of=LATER).outcome == "denied"


def test_a_partner_without_a_registration_and_a_missing_opportunity_read_alike():
    ledger = specialist_and_rival()
    enroll(ledger, "bystander")
    with pytest.raises(NoStatement, match="no registration of opportunity 'opp-acme-backup'"):
        statement_for(ledger, OPP, "bystander")
    with pytest.raises(NoStatement, match="no registration of opportunity 'opp-nowhere'"):
        statement_for(ledger, "opp-nowhere", "bystander")


def test_a_specialization_awarded_after_the_registration_date_is_named_as_such():
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")  # awarded on 1 December
    ledger.register_deal(deal_registration("antemeta", date(2010, 11, 20)))
    found = statement_for(ledger, OPP, "antemeta")
    assert found.reason_code == "denied-not-specialized"
    assert "no data-protection specialization" in found.counted
    assert found.would_change == (
        "the data-protection specialization awarded before the registration",
    )
