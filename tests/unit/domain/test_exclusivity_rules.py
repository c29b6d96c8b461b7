"""Who gets pre-sales protection on an opportunity, and why not.

Each reason code is proved twice: on the pure decision (``decide_exclusivity``) and, for the ones
a user meets every day, through the ledger's ``register_deal`` on an in-memory store.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.commands import EngageVendorSales, RecordLoss, RecordWin
from domain.errors import AlreadyHoldsExclusivity
from domain.exclusivity import (
    ExclusivityReason,
    OpportunityFacts,
    RegistrantFacts,
    RegistrationFacts,
    decide_exclusivity,
    held_for_review,
)
from domain.identity import event_id
from domain.ledger import Ledger, RegistrationResult
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.program import Specialization
from domain.rules import ProgramRules
from tests.builders.program import (
    DP,
    OPP,
    REGISTERED_ON,
    current_rules,
    deal_registration,
    default_rules,
    enroll,
    in_memory_ledger,
    make_specialist,
    opportunity_events,
)

PARTNER_ID = UUID("00000000-0000-0000-0000-00000000a001")
AWARD_EVENT_ID = UUID("00000000-0000-0000-0000-00000000e001")
PROTECTION_DECISION_ID = UUID("00000000-0000-0000-0000-00000000d001")


# --- the pure decision ---------------------------------------------------------------------


def opportunity_facts(**changes: Any) -> OpportunityFacts:
    facts = OpportunityFacts(
        specialization=DP,
        closed=False,
        vendor_sales_engaged=False,
        protected_by=None,
        protection_decision_id=None,
        partners_with_expired_protection=frozenset(),
    )
    return replace(facts, **changes)


def registration_facts(**changes: Any) -> RegistrationFacts:
    facts = RegistrationFacts(
        partner_id=PARTNER_ID,
        new_business=True,
        presales_evidence="workshop and proof of concept, 2010-12-08",
        registered_on=REGISTERED_ON,
    )
    return replace(facts, **changes)


def registrant_facts(*specializations: Specialization) -> RegistrantFacts:
    held = specializations or (DP,)
    return RegistrantFacts(
        specializations=frozenset(held), specialization_evidence=(AWARD_EVENT_ID,)
    )


def decide(
    opportunity: OpportunityFacts | None = None,
    registration: RegistrationFacts | None = None,
    registrant: RegistrantFacts | None = None,
    rules: ProgramRules | None = None,
):
    return decide_exclusivity(
        opportunity or opportunity_facts(),
        registration or registration_facts(),
        registrant or registrant_facts(),
        rules or default_rules(),
    )


def protected_by_another() -> OpportunityFacts:
    return opportunity_facts(protected_by=uuid4(), protection_decision_id=PROTECTION_DECISION_ID)


def test_grants_exclusivity_to_the_first_qualified_registrant():
    decision = decide()

    assert decision.reason is ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT
    assert decision.granted


def test_granted_exclusivity_is_valid_for_the_rules_registration_validity():
    decision = decide()

    assert decision.valid_until == REGISTERED_ON + timedelta(days=90)


def test_granted_validity_follows_a_rule_set_with_a_longer_registration_validity():
    decision = decide(rules=default_rules(registration_validity_days=180))

    assert decision.valid_until == REGISTERED_ON + timedelta(days=180)


def test_granted_decision_cites_the_registrants_specialization_awards():
    decision = decide()

    assert decision.evidence_event_ids == (AWARD_EVENT_ID,)


def test_decision_names_the_rules_version_it_applied():
    decision = decide(rules=default_rules(version="2011.2"))

    assert decision.rules_version == "2011.2"


def test_denies_exclusivity_when_opportunity_already_protected():
    decision = decide(opportunity=protected_by_another())

    assert decision.reason is ExclusivityReason.ALREADY_PROTECTED
    assert not decision.granted


def test_denial_for_an_existing_protection_cites_the_decision_that_granted_it():
    decision = decide(opportunity=protected_by_another())

    assert decision.evidence_event_ids == (PROTECTION_DECISION_ID,)


def test_denies_exclusivity_to_the_holder_registering_the_same_opportunity_again():
    opportunity = opportunity_facts(
        protected_by=PARTNER_ID, protection_decision_id=PROTECTION_DECISION_ID
    )

    assert decide(opportunity=opportunity).reason is ExclusivityReason.ALREADY_PROTECTED


def test_denies_exclusivity_to_a_partner_not_specialized_in_the_opportunitys_area():
    decision = decide(registrant=registrant_facts(Specialization.ENDPOINT_SECURITY))

    assert decision.reason is ExclusivityReason.NOT_SPECIALIZED


def test_denies_exclusivity_to_a_partner_holding_no_specialization():
    registrant = RegistrantFacts(specializations=frozenset(), specialization_evidence=())

    assert decide(registrant=registrant).reason is ExclusivityReason.NOT_SPECIALIZED


@pytest.mark.parametrize("evidence", ["", "   ", "\t\n"])
def test_denies_exclusivity_without_presales_evidence(evidence):
    decision = decide(registration=registration_facts(presales_evidence=evidence))

    assert decision.reason is ExclusivityReason.NO_PRESALES_EVIDENCE


def test_denies_exclusivity_on_a_renewal():
    decision = decide(registration=registration_facts(new_business=False))

    assert decision.reason is ExclusivityReason.RENEWAL


def test_denies_exclusivity_when_the_vendors_own_sales_are_engaged():
    decision = decide(opportunity=opportunity_facts(vendor_sales_engaged=True))

    assert decision.reason is ExclusivityReason.VENDOR_SALES_ENGAGED


def test_denies_exclusivity_on_a_closed_opportunity():
    decision = decide(opportunity=opportunity_facts(closed=True))

    assert decision.reason is ExclusivityReason.OPPORTUNITY_CLOSED


def test_denies_re_registration_after_expiry_when_the_rules_forbid_it():
    opportunity = opportunity_facts(partners_with_expired_protection=frozenset({PARTNER_ID}))

    decision = decide(opportunity=opportunity, rules=default_rules(re_registration_allowed=False))

    assert decision.reason is ExclusivityReason.RE_REGISTRATION_NOT_ALLOWED


def test_grants_re_registration_after_expiry_when_the_rules_allow_it():
    opportunity = opportunity_facts(partners_with_expired_protection=frozenset({PARTNER_ID}))

    decision = decide(opportunity=opportunity, rules=default_rules(re_registration_allowed=True))

    assert decision.granted


def test_forbidden_re_registration_does_not_stop_another_partner_being_granted():
    opportunity = opportunity_facts(partners_with_expired_protection=frozenset({uuid4()}))

    decision = decide(opportunity=opportunity, rules=default_rules(re_registration_allowed=False))

    assert decision.granted


def test_only_the_granted_reason_counts_as_granted():
    granted = {reason for reason in ExclusivityReason if reason.granted}

    assert granted == {ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT}


# One scenario per reason code: the test below proves the table covers them all.
SCENARIOS: dict[ExclusivityReason, dict[str, Any]] = {
    ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT: {},
    ExclusivityReason.OPPORTUNITY_CLOSED: {"opportunity": opportunity_facts(closed=True)},
    ExclusivityReason.VENDOR_SALES_ENGAGED: {
        "opportunity": opportunity_facts(vendor_sales_engaged=True)
    },
    ExclusivityReason.RENEWAL: {"registration": registration_facts(new_business=False)},
    ExclusivityReason.NO_PRESALES_EVIDENCE: {
        "registration": registration_facts(presales_evidence=" ")
    },
    ExclusivityReason.NOT_SPECIALIZED: {
        "registrant": registrant_facts(Specialization.HIGH_AVAILABILITY)
    },
    ExclusivityReason.ALREADY_PROTECTED: {"opportunity": protected_by_another()},
    ExclusivityReason.REGISTERED_NOT_EXCLUSIVE: {
        "registrant": registrant_facts(Specialization.HIGH_AVAILABILITY),
        "rules": current_rules(),
    },
    ExclusivityReason.RE_REGISTRATION_NOT_ALLOWED: {
        "opportunity": opportunity_facts(partners_with_expired_protection=frozenset({PARTNER_ID})),
        "rules": default_rules(re_registration_allowed=False),
    },
}


# A suspected conflict is found by the ledger on the customer's claims, not by the pure rule
# (see test_customer_conflicts): every other reason is one of the rule's outcomes.
RULE_REASONS = [reason for reason in ExclusivityReason if not reason.under_review]


def test_every_reason_code_of_the_rule_has_a_scenario_here():
    assert set(SCENARIOS) == set(RULE_REASONS)


@pytest.mark.parametrize("reason", RULE_REASONS, ids=lambda r: r.value)
def test_each_reason_code_is_the_outcome_of_its_scenario(reason):
    assert decide(**SCENARIOS[reason]).reason is reason


def test_a_review_held_decision_keeps_what_the_rule_decided_and_grants_nothing():
    held = held_for_review(decide())

    assert held.reason is ExclusivityReason.CONFLICT_SUSPECTED
    assert held.rule_reason is ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT
    assert (held.granted, held.preferred, held.valid_until) == (False, False, None)
    assert held.outcome == "pending"


@pytest.mark.parametrize("reason", RULE_REASONS, ids=lambda r: r.value)
def test_every_decision_carries_the_rules_version_and_evidence(reason):
    decision = decide(**SCENARIOS[reason])

    assert decision.rules_version == SCENARIOS[reason].get("rules", default_rules()).version
    assert decision.evidence_event_ids
    assert all(isinstance(e, UUID) for e in decision.evidence_event_ids)


@pytest.mark.parametrize("reason", RULE_REASONS, ids=lambda r: r.value)
def test_only_a_granted_or_non_exclusive_registration_has_a_validity_date(reason):
    decision = decide(**SCENARIOS[reason])

    assert (decision.valid_until is not None) is (decision.granted or decision.preferred)


# --- through the ledger --------------------------------------------------------------------


def new_ledger(*rule_sets: ProgramRules) -> Ledger:
    return in_memory_ledger(*(rule_sets or (default_rules(),)))


def enrol(ledger: Ledger, code: str, specialization: Specialization | None = DP) -> UUID:
    partner_id = enroll(ledger, code)
    if specialization is not None:
        make_specialist(ledger, code, specialization)
    return partner_id


def register(
    ledger: Ledger,
    code: str,
    on: date = REGISTERED_ON,
    *,
    evidence: str = "workshop and proof of concept",
    new_business: bool = True,
    opportunity: str = OPP,
) -> RegistrationResult:
    registration = deal_registration(
        code, on, opportunity=opportunity, evidence=evidence, new_business=new_business
    )
    return ledger.register_deal(registration)


def test_ledger_grants_the_first_qualified_registrant():
    ledger = new_ledger()
    partner_id = enrol(ledger, "antemeta")

    result = register(ledger, "antemeta")

    assert result.decision.reason is ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT
    assert ledger.get_opportunity("opp-acme-backup").protection.partner_id == partner_id


def test_ledger_grants_protection_until_registration_date_plus_validity_days():
    ledger = new_ledger()
    enrol(ledger, "antemeta")

    result = register(ledger, "antemeta")

    assert result.decision.valid_until == REGISTERED_ON + timedelta(days=90)
    protection = ledger.get_opportunity("opp-acme-backup").protection
    assert protection.valid_until == REGISTERED_ON + timedelta(days=90)


def test_ledger_records_registration_then_decision_as_events():
    ledger = new_ledger()
    enrol(ledger, "antemeta")

    register(ledger, "antemeta")

    assert [type(e) for e in opportunity_events(ledger)] == [
        Opportunity.Opened,
        Opportunity.CustomerIdentified,
        Opportunity.Registered,
        Opportunity.ExclusivityGranted,
    ]


def test_granted_event_carries_reason_code_and_rules_version():
    ledger = new_ledger()
    enrol(ledger, "antemeta")

    register(ledger, "antemeta")

    granted = opportunity_events(ledger)[-1]
    assert granted.reason_code == "granted-first-qualified-registrant"
    assert granted.rules_version == "2010.1"
    assert granted.valid_until == REGISTERED_ON + timedelta(days=90)


def test_granted_event_cites_the_registration_and_the_specialization_award():
    ledger = new_ledger()
    partner_id = enrol(ledger, "antemeta")
    award = next(
        e for e in ledger.events.get(partner_id) if isinstance(e, Partner.SpecializationAwarded)
    )

    register(ledger, "antemeta")

    registered, granted = opportunity_events(ledger)[2:]
    assert granted.evidence_event_ids == [
        event_id(registered.originator_id, registered.originator_version),
        event_id(partner_id, award.originator_version),
    ]


def test_registration_result_names_the_decision_event():
    ledger = new_ledger()
    enrol(ledger, "antemeta")

    result = register(ledger, "antemeta")

    granted = opportunity_events(ledger)[-1]
    assert result.decision_id == event_id(granted.originator_id, granted.originator_version)
    assert result.opportunity_id == Opportunity.create_id("opp-acme-backup")


def test_ledger_denies_the_second_registrant_because_the_opportunity_is_protected():
    ledger = new_ledger()
    enrol(ledger, "antemeta")
    enrol(ledger, "datasafe")
    first = register(ledger, "antemeta")

    second = register(ledger, "datasafe", REGISTERED_ON + timedelta(days=1))

    assert second.decision.reason is ExclusivityReason.ALREADY_PROTECTED
    assert first.decision_id in second.decision.evidence_event_ids


def test_denied_registration_leaves_the_first_registrants_protection_in_place():
    ledger = new_ledger()
    first_id = enrol(ledger, "antemeta")
    enrol(ledger, "datasafe")
    register(ledger, "antemeta")

    register(ledger, "datasafe", REGISTERED_ON + timedelta(days=1))

    assert ledger.get_opportunity("opp-acme-backup").protection.partner_id == first_id


def test_denied_event_carries_reason_code_rules_version_and_evidence():
    ledger = new_ledger()
    enrol(ledger, "antemeta")
    enrol(ledger, "datasafe")
    first = register(ledger, "antemeta")

    register(ledger, "datasafe", REGISTERED_ON + timedelta(days=1))

    denied = opportunity_events(ledger)[-1]
    assert isinstance(denied, Opportunity.ExclusivityDenied)
    assert denied.reason_code == "denied-already-protected"
    assert denied.rules_version == "2010.1"
    assert first.decision_id in denied.evidence_event_ids


def test_ledger_denies_a_partner_not_specialized_in_the_opportunitys_area():
    ledger = new_ledger()
    enrol(ledger, "securit", Specialization.ENDPOINT_SECURITY)

    result = register(ledger, "securit")

    assert result.decision.reason is ExclusivityReason.NOT_SPECIALIZED
    assert ledger.get_opportunity("opp-acme-backup").protection is None


def test_ledger_denies_a_partner_with_no_specialization():
    ledger = new_ledger()
    enrol(ledger, "newcomer", specialization=None)

    assert register(ledger, "newcomer").decision.reason is ExclusivityReason.NOT_SPECIALIZED


def test_ledger_denies_a_registration_with_blank_presales_evidence():
    ledger = new_ledger()
    enrol(ledger, "antemeta")

    result = register(ledger, "antemeta", evidence="  ")

    assert result.decision.reason is ExclusivityReason.NO_PRESALES_EVIDENCE


def test_ledger_denies_a_renewal():
    ledger = new_ledger()
    enrol(ledger, "antemeta")

    result = register(ledger, "antemeta", new_business=False)

    assert result.decision.reason is ExclusivityReason.RENEWAL


def test_ledger_denies_registration_once_the_vendors_sales_are_engaged():
    ledger = new_ledger()
    enrol(ledger, "antemeta")
    ledger.engage_vendor_sales(
        EngageVendorSales("opp-acme-backup", "Acme", DP, date(2010, 12, 1), "key account")
    )

    result = register(ledger, "antemeta")

    assert result.decision.reason is ExclusivityReason.VENDOR_SALES_ENGAGED


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_ledger_denies_registration_on_a_closed_opportunity(outcome):
    ledger = new_ledger()
    enrol(ledger, "antemeta")
    enrol(ledger, "datasafe")
    register(ledger, "antemeta")
    closed_on = REGISTERED_ON + timedelta(days=10)
    if outcome == "won":
        ledger.record_win(RecordWin("opp-acme-backup", "antemeta", Decimal(1000), closed_on))
    else:
        ledger.record_loss(RecordLoss("opp-acme-backup", closed_on, "went with a competitor"))

    result = register(ledger, "datasafe", closed_on + timedelta(days=1))

    assert result.decision.reason is ExclusivityReason.OPPORTUNITY_CLOSED


def test_ledger_denies_the_same_partner_after_expiry_when_rules_forbid_re_registration():
    ledger = new_ledger(default_rules(re_registration_allowed=False))
    enrol(ledger, "antemeta")
    first = register(ledger, "antemeta")

    again = register(ledger, "antemeta", first.decision.valid_until)

    assert again.decision.reason is ExclusivityReason.RE_REGISTRATION_NOT_ALLOWED
    assert ledger.get_opportunity("opp-acme-backup").protection is None


def test_ledger_grants_another_partner_after_expiry_when_rules_forbid_re_registration():
    ledger = new_ledger(default_rules(re_registration_allowed=False))
    enrol(ledger, "antemeta")
    other_id = enrol(ledger, "datasafe")
    first = register(ledger, "antemeta")

    other = register(ledger, "datasafe", first.decision.valid_until)

    assert other.decision.granted
    assert ledger.get_opportunity("opp-acme-backup").protection.partner_id == other_id


def test_ledger_grants_the_same_partner_again_after_expiry_when_rules_allow_it():
    ledger = new_ledger(default_rules(re_registration_allowed=True))
    enrol(ledger, "antemeta")
    first = register(ledger, "antemeta")
    renewed_on = first.decision.valid_until + timedelta(days=3)

    again = register(ledger, "antemeta", renewed_on)

    assert again.decision.granted
    assert again.decision.valid_until == renewed_on + timedelta(days=90)
    assert again.decision_id != first.decision_id


def test_ledger_grants_another_partner_after_expiry_when_rules_allow_it():
    ledger = new_ledger(default_rules(re_registration_allowed=True))
    enrol(ledger, "antemeta")
    enrol(ledger, "datasafe")
    first = register(ledger, "antemeta")

    assert register(ledger, "datasafe", first.decision.valid_until).decision.granted


def test_registration_after_expiry_records_the_expiry_before_the_new_decision():
    ledger = new_ledger()
    enrol(ledger, "antemeta")
    enrol(ledger, "datasafe")
    first = register(ledger, "antemeta")

    register(ledger, "datasafe", first.decision.valid_until)

    assert [type(e) for e in opportunity_events(ledger)[-3:]] == [
        Opportunity.ExclusivityExpired,
        Opportunity.Registered,
        Opportunity.ExclusivityGranted,
    ]


def test_registration_decides_under_the_rules_in_force_on_the_registration_date():
    later = default_rules(
        version="2011.1", effective_from=date(2011, 6, 1), registration_validity_days=180
    )
    ledger = new_ledger(default_rules(), later)
    enrol(ledger, "antemeta")
    registered_on = date(2011, 7, 1)

    result = register(ledger, "antemeta", registered_on)

    assert result.decision.rules_version == "2011.1"
    assert result.decision.valid_until == registered_on + timedelta(days=180)


def test_registration_before_a_later_rule_set_takes_effect_uses_the_earlier_one():
    later = default_rules(
        version="2011.1", effective_from=date(2011, 6, 1), registration_validity_days=180
    )
    ledger = new_ledger(default_rules(), later)
    enrol(ledger, "antemeta")

    result = register(ledger, "antemeta", date(2011, 5, 31))

    assert result.decision.rules_version == "2010.1"
    assert result.decision.valid_until == date(2011, 5, 31) + timedelta(days=90)


def test_the_holder_registering_its_protected_deal_again_is_told_so_and_nothing_is_recorded():
    ledger = new_ledger()
    enrol(ledger, "antemeta")
    register(ledger, "antemeta")
    before = len(opportunity_events(ledger))

    with pytest.raises(AlreadyHoldsExclusivity, match=r"already holds exclusivity .* until"):
        register(ledger, "antemeta", REGISTERED_ON + timedelta(days=1))

    assert len(opportunity_events(ledger)) == before


def test_the_former_holder_may_register_again_once_its_protection_expired():
    ledger = new_ledger()
    enrol(ledger, "antemeta")
    first = register(ledger, "antemeta")
    valid_until = first.decision.valid_until

    again = register(ledger, "antemeta", valid_until + timedelta(days=1))

    # The default rules allow re-registration after expiry.
    assert again.decision.reason is ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT
    assert again.decision_id != first.decision_id
