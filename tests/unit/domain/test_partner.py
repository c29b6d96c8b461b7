from datetime import date

import pytest

from domain.errors import (
    BlankIndividualName,
    BlankPartnerName,
    CertificationBeforeEnrolment,
    CertificationEndsBeforeStart,
    InvalidPartnerCode,
)
from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier

ENROLLED_ON = date(2010, 11, 2)


def antemeta() -> Partner:
    return Partner.enroll("antemeta", "Antemeta", Tier.GOLD, ENROLLED_ON)


def certify(
    partner: Partner, effective_on: date, expires_on: date, individual: str = "Ann"
) -> None:
    partner.earn_certification(
        individual,
        CertificationKind.TECHNICAL,
        Specialization.DATA_PROTECTION,
        effective_on,
        expires_on,
    )


def test_enrolled_partner_keeps_its_legacy_tier():
    partner = antemeta()
    assert partner.tier is Tier.GOLD
    assert partner.legacy_tier is Tier.GOLD
    assert partner.enrolled_on == ENROLLED_ON


def test_partner_id_is_derived_from_its_code():
    assert antemeta().id == Partner.create_id("antemeta")
    assert Partner.create_id("antemeta") != Partner.create_id("datasafe")


def test_enrolment_records_one_enrolled_event():
    events = antemeta().collect_events()
    assert [type(e) for e in events] == [Partner.Enrolled]
    assert events[0].legacy_tier is Tier.GOLD


@pytest.mark.parametrize("code", ["", "A", "Ante Meta", "-antemeta", "x" * 64, "antémeta"])
def test_rejects_malformed_partner_codes(code):
    with pytest.raises(InvalidPartnerCode):
        Partner.enroll(code, "Antemeta", Tier.GOLD, ENROLLED_ON)


def test_rejects_blank_partner_name():
    with pytest.raises(BlankPartnerName):
        Partner.enroll("antemeta", "   ", Tier.GOLD, ENROLLED_ON)


def test_certification_earned_by_an_individual_is_recorded():
    partner = antemeta()
    certify(partner, date(2010, 12, 1), date(2012, 12, 1))
    assert [type(e) for e in partner.collect_events()][-1] is Partner.CertificationEarned
    assert partner.certifications[0].individual == "Ann"
    assert partner.version == 2


def test_certification_is_active_from_effective_date_until_expiry():
    partner = antemeta()
    certify(partner, date(2010, 12, 1), date(2012, 12, 1))
    assert partner.active_certifications(date(2010, 11, 30)) == []
    assert len(partner.active_certifications(date(2010, 12, 1))) == 1
    assert partner.active_certifications(date(2012, 12, 1)) == []


def test_rejects_certification_that_expires_before_it_starts():
    partner = antemeta()
    with pytest.raises(CertificationEndsBeforeStart) as raised:
        certify(partner, date(2011, 1, 1), date(2011, 1, 1))
    assert raised.value.rule == "certification-expiry-after-effective-date"
    assert partner.version == 1


def test_rejects_certification_effective_before_enrolment():
    partner = antemeta()
    with pytest.raises(CertificationBeforeEnrolment):
        certify(partner, date(2010, 1, 1), date(2012, 1, 1))
    assert partner.certifications == []


def test_rejects_certification_of_a_blank_individual():
    with pytest.raises(BlankIndividualName):
        certify(antemeta(), date(2011, 1, 1), date(2012, 1, 1), individual=" ")


def test_domain_error_message_names_its_rule():
    with pytest.raises(InvalidPartnerCode) as raised:
        Partner.enroll("BAD CODE", "x", Tier.GOLD, ENROLLED_ON)
    assert "[rule: partner-code-format]" in str(raised.value)
