"""The Partner aggregate: enrolment in the program and the certifications its people earn."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    BlankIndividualName,
    BlankPartnerName,
    CertificationBeforeEnrolment,
    CertificationEndsBeforeStart,
    InvalidPartnerCode,
)
from domain.program import CertificationKind, Specialization, Tier

# Partner ids derive from the partner's code, so every process agrees on a partner's id
# without a lookup table, and a second enrolment of the same code collides in the store.
PARTNER_NAMESPACE = uuid5(NAMESPACE_URL, "urn:channel-ledger:partner")
PARTNER_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class Certification:
    """A certification held by one named individual at the partner."""

    individual: str
    kind: CertificationKind
    specialization: Specialization
    effective_on: date
    expires_on: date


class Partner(Aggregate):
    """A managed partner of the program."""

    class Enrolled(Aggregate.Created):
        code: str
        name: str
        legacy_tier: Tier
        enrolled_on: date

    class CertificationEarned(Aggregate.Event):
        individual: str
        kind: CertificationKind
        specialization: Specialization
        effective_on: date
        expires_on: date

    @staticmethod
    def create_id(code: str) -> UUID:
        return uuid5(PARTNER_NAMESPACE, code)

    @classmethod
    def enroll(cls, code: str, name: str, legacy_tier: Tier, enrolled_on: date) -> Partner:
        """Enrol a partner, carrying over its tier from the previous program."""
        check_partner_code(code)
        check_not_blank(name, BlankPartnerName("partner name must not be blank"))
        return cls(code=code, name=name.strip(), legacy_tier=legacy_tier, enrolled_on=enrolled_on)

    @event(Enrolled)
    def __init__(self, code: str, name: str, legacy_tier: Tier, enrolled_on: date) -> None:
        self.code = code
        self.name = name
        self.legacy_tier = legacy_tier
        self.tier = legacy_tier
        self.enrolled_on = enrolled_on
        self.certifications: list[Certification] = []

    def earn_certification(
        self,
        individual: str,
        kind: CertificationKind,
        specialization: Specialization,
        effective_on: date,
        expires_on: date,
    ) -> None:
        """Record that a named individual at this partner earned a certification."""
        check_not_blank(individual, BlankIndividualName("individual must not be blank"))
        check_validity_period(effective_on, expires_on)
        self.check_not_before_enrolment(effective_on)
        self._certification_earned(
            individual.strip(), kind, specialization, effective_on, expires_on
        )

    @event(CertificationEarned)
    def _certification_earned(
        self,
        individual: str,
        kind: CertificationKind,
        specialization: Specialization,
        effective_on: date,
        expires_on: date,
    ) -> None:
        self.certifications.append(
            Certification(individual, kind, specialization, effective_on, expires_on)
        )

    def active_certifications(self, as_of: date) -> list[Certification]:
        """Certifications in force on the given business date."""
        return [c for c in self.certifications if c.effective_on <= as_of < c.expires_on]

    def check_not_before_enrolment(self, effective_on: date) -> None:
        if effective_on < self.enrolled_on:
            raise CertificationBeforeEnrolment(
                f"certification effective {effective_on} is before partner {self.code!r} "
                f"enrolled on {self.enrolled_on}"
            )


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
