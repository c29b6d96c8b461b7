"""Specializations: awarded by contract to partners whose people are certified, within a cap.

Default rules: each specialization needs one sales and two technical certified individuals;
at most 19 partners may be specialized.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.commands import (
    AwardSpecialization,
    PublishRules,
    RevokeCertification,
)
from domain.errors import (
    BlankReference,
    NoRulesInForce,
    RulesVersionAlreadyPublished,
    SpecializationAlreadyHeld,
    SpecializationCapReached,
    SpecializationRequirementsNotMet,
    UnknownCertification,
)
from domain.identity import event_id
from domain.ledger import Ledger, RegistrationResult
from domain.partner import Partner
from domain.partner_program import PROGRAM_ID, PartnerProgram
from domain.program import CertificationKind, Specialization, Tier
from domain.rules import ProgramRules
from tests.builders.program import (
    AWARDED_ON,
    CERTIFIED_ON,
    DP,
    ENROLLED_ON,
    TEAM,
    certify_team,
    deal_registration,
    default_rules,
    enroll,
    in_memory_ledger,
    stored_count,
)

HA = Specialization.HIGH_AVAILABILITY
SALES = CertificationKind.SALES
TECHNICAL = CertificationKind.TECHNICAL
CERTIFIED_UNTIL = date(2012, 11, 15)
RULES = default_rules()


# --- on the Partner aggregate --------------------------------------------------------------


def enrolled() -> Partner:
    return Partner.enroll("antemeta", "Antemeta", Tier.GOLD, ENROLLED_ON)


def certify(
    partner: Partner,
    individual: str,
    kind: CertificationKind,
    specialization: Specialization = DP,
    effective_on: date = CERTIFIED_ON,
    expires_on: date = CERTIFIED_UNTIL,
) -> None:
    partner.earn_certification(individual, kind, specialization, effective_on, expires_on)


def certified_team(specialization: Specialization = DP) -> Partner:
    partner = enrolled()
    for individual, kind in TEAM:
        certify(partner, individual, kind, specialization)
    return partner


def award(partner: Partner, specialization: Specialization = DP, on: date = AWARDED_ON) -> None:
    partner.award_specialization(specialization, "AGR-2010-001", on, RULES)


def test_award_is_granted_with_one_sales_and_two_technical_certified_individuals():
    partner = certified_team()

    award(partner)

    assert DP in partner.specializations
    awarded = partner.collect_events()[-1]
    assert isinstance(awarded, Partner.SpecializationAwarded)
    assert (awarded.sales_certified, awarded.technical_certified) == (1, 2)


def test_award_records_the_contract_reference_and_rules_version():
    partner = certified_team()

    award(partner)

    awarded = partner.collect_events()[-1]
    assert awarded.contract_reference == "AGR-2010-001"
    assert awarded.rules_version == "2010.1"
    assert awarded.awarded_on == AWARDED_ON


def test_award_evidence_id_is_the_id_of_the_award_event():
    partner = certified_team()

    award(partner)

    awarded = partner.collect_events()[-1]
    held = partner.specializations[DP]
    assert held.award_event_id == event_id(partner.id, awarded.originator_version)
    assert partner.registrant_facts(AWARDED_ON).specialization_evidence == (held.award_event_id,)


def test_award_is_refused_without_enough_technical_individuals():
    partner = enrolled()
    certify(partner, "Ann", SALES)
    certify(partner, "Bob", TECHNICAL)

    with pytest.raises(SpecializationRequirementsNotMet):
        award(partner)

    assert partner.specializations == {}


def test_award_is_refused_without_a_sales_certified_individual():
    partner = enrolled()
    certify(partner, "Bob", TECHNICAL)
    certify(partner, "Cid", TECHNICAL)

    with pytest.raises(SpecializationRequirementsNotMet):
        award(partner)


def test_two_certifications_of_the_same_individual_count_once():
    partner = enrolled()
    certify(partner, "Ann", SALES)
    certify(partner, "Bob", TECHNICAL)
    certify(partner, "Bob", TECHNICAL, effective_on=date(2010, 11, 20))

    with pytest.raises(SpecializationRequirementsNotMet):
        award(partner)


def test_one_individual_may_cover_both_the_sales_and_a_technical_requirement():
    partner = enrolled()
    certify(partner, "Ann", SALES)
    certify(partner, "Ann", TECHNICAL)
    certify(partner, "Bob", TECHNICAL)

    award(partner)

    assert DP in partner.specializations


def test_certifications_in_another_specialization_do_not_count():
    partner = certified_team(HA)

    with pytest.raises(SpecializationRequirementsNotMet):
        award(partner, DP)


def test_certification_not_yet_effective_on_the_award_date_does_not_count():
    partner = enrolled()
    certify(partner, "Ann", SALES)
    certify(partner, "Bob", TECHNICAL)
    certify(partner, "Cid", TECHNICAL, effective_on=AWARDED_ON + timedelta(days=1))

    with pytest.raises(SpecializationRequirementsNotMet):
        award(partner)


def test_certification_expired_by_the_award_date_does_not_count():
    partner = enrolled()
    certify(partner, "Ann", SALES)
    certify(partner, "Bob", TECHNICAL)
    certify(partner, "Cid", TECHNICAL, expires_on=AWARDED_ON)

    with pytest.raises(SpecializationRequirementsNotMet):
        award(partner)


def test_revoked_certification_does_not_count():
    partner = certified_team()
    partner.revoke_certification("Cid", TECHNICAL, DP, date(2010, 11, 25), "left the company")

    with pytest.raises(SpecializationRequirementsNotMet):
        award(partner)


def test_requirements_follow_the_rules_passed_in():
    rules = default_rules(
        specializations=tuple(
            replace(s, min_technical_certified=1) if s.specialization is DP else s
            for s in RULES.specializations
        )
    )
    partner = enrolled()
    certify(partner, "Ann", SALES)
    certify(partner, "Bob", TECHNICAL)

    partner.award_specialization(DP, "AGR-2010-001", AWARDED_ON, rules)

    assert DP in partner.specializations


@pytest.mark.parametrize("reference", ["", "   "])
def test_award_needs_a_contract_reference(reference):
    partner = certified_team()

    with pytest.raises(BlankReference):
        partner.award_specialization(DP, reference, AWARDED_ON, RULES)

    assert partner.specializations == {}


def test_awarding_a_specialization_twice_raises_specialization_already_held():
    partner = certified_team()
    award(partner)

    with pytest.raises(SpecializationAlreadyHeld):
        award(partner, on=AWARDED_ON + timedelta(days=5))


def test_revoking_a_certification_nobody_holds_raises_unknown_certification():
    partner = certified_team()

    with pytest.raises(UnknownCertification):
        partner.revoke_certification("Zoe", TECHNICAL, DP, date(2010, 12, 5), "typo")


def test_withdrawal_keeps_specializations_whose_requirements_still_hold():
    partner = certified_team()
    certify(partner, "Dan", TECHNICAL)
    award(partner)
    partner.revoke_certification("Cid", TECHNICAL, DP, date(2011, 1, 5), "left")

    assert partner.withdraw_lapsed_specializations(date(2011, 1, 5), RULES) == []
    assert DP in partner.specializations


def test_withdrawal_removes_a_specialization_whose_requirements_lapsed():
    partner = certified_team()
    award(partner)
    partner.revoke_certification("Cid", TECHNICAL, DP, date(2011, 1, 5), "left")
    partner.collect_events()

    assert partner.withdraw_lapsed_specializations(date(2011, 1, 5), RULES) == [DP]

    (withdrawn,) = partner.collect_events()
    assert isinstance(withdrawn, Partner.SpecializationWithdrawn)
    assert withdrawn.reason == "certification-requirements-lapsed"
    assert withdrawn.rules_version == "2010.1"
    assert partner.specializations == {}


def test_expiring_a_certification_keeps_the_same_individuals_renewal_active():
    partner = enrolled()
    certify(partner, "Bob", TECHNICAL, effective_on=date(2010, 12, 1), expires_on=date(2011, 12, 1))
    # Renewed a few weeks before expiry, as the 90/60/30-day reminders ask.
    certify(partner, "Bob", TECHNICAL, effective_on=date(2011, 11, 1), expires_on=date(2013, 11, 1))

    partner.expire_certifications(date(2011, 12, 1))

    assert partner.certified_individuals(DP, TECHNICAL, date(2012, 1, 1)) == 1


# --- the cap, on the PartnerProgram aggregate ----------------------------------------------


def published_program() -> PartnerProgram:
    return in_memory_ledger(RULES).program()


def test_program_admits_specialists_up_to_the_cap():
    program = published_program()
    rules = replace(RULES, max_specialized_partners=2)
    program.admit_specialist(uuid4(), AWARDED_ON, rules)
    program.admit_specialist(uuid4(), AWARDED_ON, rules)

    with pytest.raises(SpecializationCapReached):
        program.admit_specialist(uuid4(), AWARDED_ON, rules)

    assert len(program.specialists) == 2


def test_program_admits_an_existing_specialist_again_without_counting_it_twice():
    program = published_program()
    rules = replace(RULES, max_specialized_partners=1)
    specialist = uuid4()
    program.admit_specialist(specialist, AWARDED_ON, rules)
    program.collect_events()

    program.admit_specialist(specialist, AWARDED_ON, rules)

    assert program.specialists == {specialist}
    assert program.collect_events() == []


def test_removing_a_specialist_frees_a_place_under_the_cap():
    program = published_program()
    rules = replace(RULES, max_specialized_partners=1)
    first = uuid4()
    program.admit_specialist(first, AWARDED_ON, rules)

    program.remove_specialist(first, date(2011, 1, 5))
    program.admit_specialist(uuid4(), date(2011, 1, 6), rules)

    assert first not in program.specialists
    assert len(program.specialists) == 1


# --- through the ledger --------------------------------------------------------------------

CAPPED = default_rules(
    version="2010.1-cap2", effective_from=date(2010, 11, 20), max_specialized_partners=2
)


def enrol_certified(
    ledger: Ledger, code: str, specialization: Specialization = DP, until: date = CERTIFIED_UNTIL
) -> None:
    enroll(ledger, code)
    certify_team(ledger, code, specialization, until=until)


def award_in(
    ledger: Ledger, code: str, specialization: Specialization = DP, on: date = AWARDED_ON
) -> None:
    ledger.award_specialization(
        AwardSpecialization(code, specialization, f"AGR-{code}-{specialization.value}", on)
    )


def register_deal(ledger: Ledger, on: date) -> RegistrationResult:
    registration = deal_registration(
        "antemeta",
        on,
        opportunity="opp-1",
        value=Decimal(1),
        expected_close=date(2011, 3, 1),
        evidence="demo",
    )
    return ledger.register_deal(registration)


def revoke(ledger: Ledger, code: str, individual: str = "Cid", on: date = date(2011, 1, 5)):
    ledger.revoke_certification(RevokeCertification(code, individual, TECHNICAL, DP, on, "left"))


def test_ledger_awards_a_specialization_and_counts_the_partner_as_a_specialist():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta")

    award_in(ledger, "antemeta")

    assert DP in ledger.get_partner("antemeta").specializations
    assert ledger.program().specialists == {Partner.create_id("antemeta")}


def test_ledger_refuses_a_specialized_partner_beyond_the_cap():
    ledger = in_memory_ledger(RULES, CAPPED)
    for code in ("antemeta", "datasafe", "stockit"):
        enrol_certified(ledger, code)
    award_in(ledger, "antemeta")
    award_in(ledger, "datasafe")
    count = stored_count(ledger)

    with pytest.raises(SpecializationCapReached):
        award_in(ledger, "stockit")

    assert stored_count(ledger) == count
    assert ledger.get_partner("stockit").specializations == {}
    assert len(ledger.program().specialists) == 2


def test_cap_applies_from_the_effective_date_of_the_rules_that_set_it():
    ledger = in_memory_ledger(RULES, CAPPED)
    for code in ("antemeta", "datasafe", "stockit"):
        enrol_certified(ledger, code)

    for code in ("antemeta", "datasafe", "stockit"):
        award_in(ledger, code, on=date(2010, 11, 19))  # before the capped rules take effect

    assert len(ledger.program().specialists) == 3


def test_ledger_awards_a_second_specialization_to_a_specialist_at_the_cap():
    ledger = in_memory_ledger(RULES, CAPPED)
    enrol_certified(ledger, "antemeta")
    enrol_certified(ledger, "datasafe")
    award_in(ledger, "antemeta")
    award_in(ledger, "datasafe")
    certify_team(ledger, "antemeta", HA, until=CERTIFIED_UNTIL)

    award_in(ledger, "antemeta", HA)

    assert set(ledger.get_partner("antemeta").specializations) == {DP, HA}


def test_ledger_refuses_to_award_a_specialization_twice_and_writes_nothing():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta")
    award_in(ledger, "antemeta")
    count = stored_count(ledger)

    with pytest.raises(SpecializationAlreadyHeld):
        award_in(ledger, "antemeta", on=date(2010, 12, 5))

    assert stored_count(ledger) == count


def test_ledger_refuses_an_award_whose_requirements_are_not_met_and_writes_nothing():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta", HA)
    count = stored_count(ledger)

    with pytest.raises(SpecializationRequirementsNotMet):
        award_in(ledger, "antemeta", DP)

    assert stored_count(ledger) == count
    assert ledger.program().specialists == set()


def test_sweep_withdraws_a_specialization_after_a_certification_is_revoked():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta")
    award_in(ledger, "antemeta")
    revoke(ledger, "antemeta")

    report = ledger.sweep(date(2011, 1, 6))

    assert report.specializations_withdrawn == 1
    assert ledger.get_partner("antemeta").specializations == {}
    withdrawn = list(ledger.events.get(Partner.create_id("antemeta")))[-1]
    assert isinstance(withdrawn, Partner.SpecializationWithdrawn)


def test_sweep_withdraws_a_specialization_after_its_certifications_expire():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta", until=date(2011, 6, 1))
    award_in(ledger, "antemeta")

    report = ledger.sweep(date(2011, 6, 1))

    assert report.certifications_expired == 3
    assert report.specializations_withdrawn == 1
    kinds = [type(e) for e in ledger.events.get(Partner.create_id("antemeta"))][-4:]
    assert kinds == [Partner.CertificationExpired] * 3 + [Partner.SpecializationWithdrawn]


def test_sweep_keeps_a_specialization_before_its_certifications_expire():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta", until=date(2011, 6, 1))
    award_in(ledger, "antemeta")

    report = ledger.sweep(date(2011, 5, 31))

    assert (report.certifications_expired, report.specializations_withdrawn) == (0, 0)
    assert DP in ledger.get_partner("antemeta").specializations


def test_sweep_removes_a_partner_left_without_specializations_from_the_specialists():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta")
    award_in(ledger, "antemeta")
    revoke(ledger, "antemeta")

    ledger.sweep(date(2011, 1, 6))

    assert ledger.program().specialists == set()


def test_sweep_keeps_a_partner_that_still_holds_another_specialization_as_a_specialist():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta")
    certify_team(ledger, "antemeta", HA, until=CERTIFIED_UNTIL)
    award_in(ledger, "antemeta", DP)
    award_in(ledger, "antemeta", HA)
    revoke(ledger, "antemeta")

    ledger.sweep(date(2011, 1, 6))

    assert set(ledger.get_partner("antemeta").specializations) == {HA}
    assert ledger.program().specialists == {Partner.create_id("antemeta")}


def test_a_withdrawal_frees_a_place_under_the_cap():
    ledger = in_memory_ledger(RULES, CAPPED)
    for code in ("antemeta", "datasafe", "stockit"):
        enrol_certified(ledger, code)
    award_in(ledger, "antemeta")
    award_in(ledger, "datasafe")
    revoke(ledger, "antemeta")
    ledger.sweep(date(2011, 1, 6))

    award_in(ledger, "stockit", on=date(2011, 1, 7))

    assert ledger.program().specialists == {
        Partner.create_id("datasafe"),
        Partner.create_id("stockit"),
    }


def test_a_withdrawn_specialization_no_longer_earns_exclusivity():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta")
    award_in(ledger, "antemeta")
    revoke(ledger, "antemeta")
    ledger.sweep(date(2011, 1, 6))

    result = register_deal(ledger, date(2011, 1, 10))

    assert result.decision.reason.value == "denied-not-specialized"


def test_sweep_keeps_a_specialization_whose_certifications_were_renewed_in_time():
    ledger = in_memory_ledger(RULES)
    enrol_certified(ledger, "antemeta", until=date(2011, 12, 1))
    award_in(ledger, "antemeta")
    certify_team(ledger, "antemeta", DP, date(2011, 11, 1), date(2013, 11, 1))

    report = ledger.sweep(date(2011, 12, 1))

    assert report.specializations_withdrawn == 0
    assert DP in ledger.get_partner("antemeta").specializations


# --- rules versions ------------------------------------------------------------------------


def test_awarding_before_any_rules_are_published_raises_no_rules_in_force():
    ledger = in_memory_ledger()
    enrol_certified(ledger, "antemeta")
    count = stored_count(ledger)

    with pytest.raises(NoRulesInForce):
        award_in(ledger, "antemeta")

    assert stored_count(ledger) == count


def test_registering_a_deal_before_any_rules_are_published_raises_no_rules_in_force():
    ledger = in_memory_ledger()
    enrol_certified(ledger, "antemeta")
    count = stored_count(ledger)

    with pytest.raises(NoRulesInForce):
        register_deal(ledger, date(2010, 12, 10))

    assert stored_count(ledger) == count


def test_sweeping_before_any_rules_are_published_raises_no_rules_in_force():
    ledger = in_memory_ledger()

    with pytest.raises(NoRulesInForce):
        ledger.sweep(date(2011, 1, 1))


def test_awarding_before_the_first_rules_take_effect_raises_no_rules_in_force():
    ledger = in_memory_ledger(default_rules(effective_from=date(2011, 1, 1)))
    enrol_certified(ledger, "antemeta")

    with pytest.raises(NoRulesInForce):
        award_in(ledger, "antemeta", on=date(2010, 12, 31))


def test_publishing_a_rules_version_twice_raises_and_writes_nothing():
    ledger = in_memory_ledger(RULES)
    count = stored_count(ledger)

    with pytest.raises(RulesVersionAlreadyPublished):
        ledger.publish_rules(PublishRules(default_rules(max_specialized_partners=5)))

    assert stored_count(ledger) == count


def test_published_rules_are_recorded_as_a_document_that_rebuilds_them():
    ledger = in_memory_ledger(RULES)

    published = list(ledger.events.get(PROGRAM_ID))[-1]

    assert isinstance(published, PartnerProgram.RulesPublished)
    assert published.version == "2010.1"
    assert ProgramRules.from_document(published.document) == RULES


def test_rules_in_force_are_the_latest_effective_on_the_date():
    ledger = in_memory_ledger(RULES, CAPPED)

    program = ledger.program()

    assert program.rules_in_force(date(2010, 11, 19)).version == "2010.1"
    assert program.rules_in_force(date(2010, 11, 20)).version == "2010.1-cap2"
