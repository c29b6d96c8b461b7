"""The service layer over an in-memory store: commands in, events saved, rules enforced."""

from datetime import date

import pytest

from domain.commands import EnrollPartner, RecordCertification
from domain.errors import CertificationEndsBeforeStart, PartnerAlreadyEnrolled, UnknownPartner
from domain.ledger import Ledger
from domain.program import CertificationKind, Specialization, Tier
from tests.builders.program import in_memory_ledger


@pytest.fixture
def ledger() -> Ledger:
    return in_memory_ledger()


def enrol(ledger: Ledger, code: str = "antemeta") -> None:
    ledger.enroll_partner(EnrollPartner(code, "Antemeta", Tier.GOLD, date(2010, 11, 2)))


def certification(code: str = "antemeta", expires_on: date = date(2012, 12, 1)):
    return RecordCertification(
        code,
        "Ann",
        CertificationKind.SALES,
        Specialization.DATA_PROTECTION,
        date(2010, 12, 1),
        expires_on,
    )


def stored_count(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def test_enrolment_and_certification_are_stored_and_reloaded(ledger):
    enrol(ledger)
    ledger.record_certification(certification())
    partner = ledger.get_partner("antemeta")
    assert partner.version == 2
    assert partner.certifications[0].specialization is Specialization.DATA_PROTECTION


def test_a_partner_code_is_enrolled_only_once(ledger):
    enrol(ledger)
    with pytest.raises(PartnerAlreadyEnrolled):
        enrol(ledger)
    assert stored_count(ledger) == 1


def test_certifying_an_unknown_partner_writes_nothing(ledger):
    with pytest.raises(UnknownPartner):
        ledger.record_certification(certification("nobody"))
    assert stored_count(ledger) == 0


def test_rejected_certification_writes_nothing(ledger):
    enrol(ledger)
    with pytest.raises(CertificationEndsBeforeStart):
        ledger.record_certification(certification(expires_on=date(2010, 1, 1)))
    assert stored_count(ledger) == 1
