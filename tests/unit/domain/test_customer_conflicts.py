"""One end customer under two references: the second registration is a suspected conflict,
held for a channel manager, never a second protection. Driven through the ledger on an
in-memory store."""

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.commands import EngageVendorSales, RecordLoss
from domain.customer_claim import CustomerClaim
from domain.errors import InvalidCompanyIdentifier
from domain.exclusivity import ExclusivityReason
from domain.history_replay import replay_history
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.program import Specialization
from tests.builders.program import (
    DP,
    REGISTERED_ON,
    deal_registration,
    default_rules,
    enroll_specialist,
    in_memory_ledger,
    opportunity_events,
    stored_count,
)

FIRST, SECOND = "opp-first", "opp-second"
GRANTED = ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT
SUSPECTED = ExclusivityReason.CONFLICT_SUSPECTED
LATER = REGISTERED_ON + timedelta(days=3)


@pytest.fixture
def ledger() -> Ledger:
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    enroll_specialist(ledger, "rival")
    return ledger


def register(ledger, code, reference, customer, company=None, on=REGISTERED_ON, **changes):
    return ledger.register_deal(
        deal_registration(
            code,
            on,
            opportunity=reference,
            end_customer=customer,
            company_identifier=company,
            **changes,
        )
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Société Générale", "SOCIETE GENERALE S.A."),
        ("Acme SARL", "acme"),
        ("Müller GmbH", "Muller"),
    ],
)
def test_the_same_customer_spelled_differently_under_a_second_reference_is_suspected(
    ledger, first, second
):
    register(ledger, "antemeta", FIRST, first)

    result = register(ledger, "rival", SECOND, second, on=LATER)

    assert result.decision.reason is SUSPECTED
    assert result.decision.rule_reason is GRANTED
    assert result.decision.outcome == "pending"
    assert ledger.get_opportunity(SECOND).protection is None
    assert ledger.get_opportunity(FIRST).protection is not None


def test_the_same_siren_under_another_name_is_suspected(ledger):
    register(ledger, "antemeta", FIRST, "Danone", company="552 032 534 00646")

    result = register(ledger, "rival", SECOND, "Blédina", company="FR27552032534", on=LATER)

    assert result.decision.reason is SUSPECTED
    suspected = opportunity_events(ledger, SECOND)[-1]
    assert isinstance(suspected, Opportunity.ConflictSuspected)
    assert suspected.matched_keys == ["siren:552032534"]


def test_the_suspected_conflict_names_the_other_opportunity_and_what_the_rule_decided(ledger):
    register(ledger, "antemeta", FIRST, "Acme")

    result = register(ledger, "rival", SECOND, "ACME", on=LATER)

    suspected = opportunity_events(ledger, SECOND)[-1]
    assert isinstance(suspected, Opportunity.ConflictSuspected)
    assert suspected.conflicting_opportunity_id == Opportunity.create_id(FIRST)
    assert suspected.conflicting_reference == FIRST
    assert suspected.matched_keys == ["name:acme"]
    assert suspected.rule_reason_code == GRANTED.value
    assert (
        result.decision_id
        == ledger.get_opportunity(SECOND).pending_reviews[ledger.get_partner("rival").id]
    )


def test_the_same_customer_in_another_specialization_is_no_conflict(ledger):
    register(ledger, "antemeta", FIRST, "Acme")
    enroll_specialist(ledger, "guardian", Specialization.ENDPOINT_SECURITY)
    registration = deal_registration("guardian", LATER, opportunity=SECOND, end_customer="Acme")

    result = ledger.register_deal(
        replace(registration, specialization=Specialization.ENDPOINT_SECURITY)
    )

    assert result.decision.reason is GRANTED


def test_two_customers_are_no_conflict(ledger):
    register(ledger, "antemeta", FIRST, "Acme")

    assert register(ledger, "rival", SECOND, "Acme Bank", on=LATER).decision.reason is GRANTED


def test_a_second_partner_on_the_same_reference_is_denied_as_before_not_suspected(ledger):
    register(ledger, "antemeta", FIRST, "Acme")

    result = register(ledger, "rival", FIRST, "Acme", on=LATER)

    assert result.decision.reason is ExclusivityReason.ALREADY_PROTECTED


def test_a_registration_the_rule_denies_stays_denied_despite_a_conflict(ledger):
    register(ledger, "antemeta", FIRST, "Acme")

    result = register(ledger, "rival", SECOND, "Acme", on=LATER, new_business=False)

    assert result.decision.reason is ExclusivityReason.RENEWAL


def test_further_registrations_of_the_suspected_reference_are_suspected_too(ledger):
    register(ledger, "antemeta", FIRST, "Acme")
    register(ledger, "rival", SECOND, "Acme", on=LATER)
    enroll_specialist(ledger, "third")

    assert register(ledger, "third", SECOND, "Acme", on=LATER).decision.reason is SUSPECTED


def test_once_the_first_opportunity_closes_its_customer_can_be_protected_again(ledger):
    register(ledger, "antemeta", FIRST, "Acme", company="552032534")
    ledger.record_loss(RecordLoss(FIRST, LATER, "project cancelled"))

    result = register(ledger, "rival", SECOND, "Acme", company="552032534", on=LATER)

    assert result.decision.reason is GRANTED
    for key in ("name:acme", "siren:552032534"):
        claim = ledger.repository.get(CustomerClaim.create_id(key, DP))
        assert claim.holder == Opportunity.create_id(SECOND)


def test_a_customer_the_vendors_sales_work_is_a_conflict_for_a_partners_new_reference(ledger):
    ledger.engage_vendor_sales(EngageVendorSales("vendor-acme", "ACME SA", DP, REGISTERED_ON, ""))

    result = register(ledger, "rival", SECOND, "Acme", on=LATER)

    assert result.decision.reason is SUSPECTED
    assert opportunity_events(ledger, SECOND)[-1].conflicting_reference == "vendor-acme"


def test_an_invalid_company_identifier_is_refused_and_nothing_is_written(ledger):
    before = stored_count(ledger)

    with pytest.raises(InvalidCompanyIdentifier, match="fails its Luhn check digit"):
        register(ledger, "antemeta", FIRST, "Acme", company="552032535")

    assert stored_count(ledger) == before


def test_the_opening_records_the_identity_and_takes_its_claims(ledger):
    register(ledger, "antemeta", FIRST, "Danone S.A.", company="FR27552032534")

    identified = opportunity_events(ledger, FIRST)[1]
    assert isinstance(identified, Opportunity.CustomerIdentified)
    assert identified.normalized_name == "danone"
    assert identified.company_identifier == "FR27552032534"
    assert identified.claim_keys == ["name:danone", "siren:552032534"]
    claim = ledger.repository.get(CustomerClaim.create_id("siren:552032534", DP))
    assert claim.holder_reference == FIRST


def test_a_rules_simulation_replays_the_company_identifier_and_finds_the_same_conflict(ledger):
    register(ledger, "antemeta", FIRST, "Danone", company="552032534")
    register(ledger, "rival", SECOND, "Blédina", company="FR27552032534", on=LATER)
    recorded = [
        ledger.mapper.to_domain_event(n)
        for n in ledger.recorder.select_notifications(start=1, limit=10_000)
    ]
    scratch = in_memory_ledger()

    replay_history(recorded, scratch, default_rules(), default_rules().effective_from)

    replayed = opportunity_events(scratch, SECOND)
    assert isinstance(replayed[1], Opportunity.CustomerIdentified)
    assert replayed[1].company_identifier == "FR27552032534"
    assert isinstance(replayed[-1], Opportunity.ConflictSuspected)


def test_a_late_registration_on_a_closed_opportunity_does_not_take_its_customer_back(ledger):
    register(ledger, "antemeta", FIRST, "Acme")
    ledger.record_loss(RecordLoss(FIRST, LATER, "project cancelled"))

    late = register(ledger, "rival", FIRST, "Acme", on=LATER)
    fresh = register(ledger, "rival", SECOND, "Acme", on=LATER)

    assert late.decision.reason is ExclusivityReason.OPPORTUNITY_CLOSED
    assert fresh.decision.reason is GRANTED
    claim = ledger.repository.get(CustomerClaim.create_id("name:acme", DP))
    assert claim.holder == Opportunity.create_id(SECOND)
