"""The checks a partner's enrolment and certifications must pass before anything is recorded."""

from __future__ import annotations

import re
from datetime import date

from domain.errors import CertificationEndsBeforeStart, InvalidPartnerCode

PARTNER_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def check_partner_code(code: str) -> None:
    if not PARTNER_CODE.match(code):
        raise InvalidPartnerCode(
            f"partner code {code!r} must be 2-63 lowercase letters, digits or hyphens"
        )


def check_not_blank(value: str, error: Exception) -> None:
    if not value.strip():
        raise error


def check_validity_period(effective_on: date, expires_on: date) -> None:
    if expires_on <= effective_on:
        raise CertificationEndsBeforeStart(
            f"expires_on {expires_on} must be after effective_on {effective_on}"
        )
