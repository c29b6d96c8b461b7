"""What a partner holds (certifications, specializations, revenue credits) and how it counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.program import CertificationKind, Specialization


@dataclass(frozen=True)
class Certification:
    """A certification held by one named individual at the partner."""

    individual: str
    kind: CertificationKind
    specialization: Specialization
    effective_on: date
    expires_on: date
    ended_on: date | None = None  # set when expired or revoked

    def active_on(self, as_of: date) -> bool:
        last_day = min(self.expires_on, self.ended_on or self.expires_on)
        return self.effective_on <= as_of < last_day

    def matches(
        self, individual: str, kind: CertificationKind, specialization: Specialization
    ) -> bool:
        return (self.individual, self.kind, self.specialization) == (
            individual,
            kind,
            specialization,
        )


@dataclass(frozen=True)
class SpecializationHeld:
    specialization: Specialization
    contract_reference: str
    awarded_on: date
    award_event_id: UUID


@dataclass(frozen=True)
class RevenueCredit:
    opportunity_id: UUID
    amount: Decimal
    won_on: date
    credit_event_id: UUID


def certified_individuals(
    active: Iterable[Certification], specialization: Specialization, kind: CertificationKind
) -> int:
    """Distinct individuals among `active` certified in one area for one kind."""
    return len(
        {c.individual for c in active if c.specialization is specialization and c.kind is kind}
    )


def certified_people(active: Iterable[Certification], kind: CertificationKind) -> int:
    """Distinct individuals among `active` holding a certification of this kind, in any area."""
    return len({c.individual for c in active if c.kind is kind})


def credits_in_window(
    credits: Iterable[RevenueCredit], start: date, as_of: date
) -> tuple[Decimal, list[UUID]]:
    """The revenue won after `start` up to `as_of`, and the credit events behind it."""
    counted = [c for c in credits if start < c.won_on <= as_of]
    return sum((c.amount for c in counted), Decimal(0)), [c.credit_event_id for c in counted]
