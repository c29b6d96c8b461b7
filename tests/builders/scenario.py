"""Recording events for integration tests through the real application."""

from __future__ import annotations

from datetime import date, timedelta

from domain.commands import EnrollPartner, RecordCertification
from domain.ledger import Ledger
from domain.program import CertificationKind, Specialization, Tier

START = date(2010, 11, 2)


def partner_code(number: int) -> str:
    return f"partner-{number:03d}"


def enrol_partners(ledger: Ledger, count: int, first: int = 0) -> list[str]:
    codes = [partner_code(n) for n in range(first, first + count)]
    for n, code in enumerate(codes):
        tier = list(Tier)[n % len(Tier)]
        ledger.enroll_partner(EnrollPartner(code, f"Partner {code}", tier, START))
    return codes


def certify(ledger: Ledger, code: str, individual: str, day: int = 0) -> None:
    effective_on = START + timedelta(days=day)
    ledger.record_certification(
        RecordCertification(
            code,
            individual,
            CertificationKind.TECHNICAL,
            Specialization.DATA_PROTECTION,
            effective_on,
            effective_on + timedelta(days=730),
        )
    )


def stored_positions(ledger: Ledger) -> list[int]:
    return [n.id for n in ledger.recorder.select_notifications(start=1, limit=1_000_000)]
