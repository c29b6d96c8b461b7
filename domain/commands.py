"""Commands: what a user asks the ledger to do, already parsed into domain types."""

from dataclasses import dataclass
from datetime import date

from domain.program import CertificationKind, Specialization, Tier


@dataclass(frozen=True)
class EnrollPartner:
    code: str
    name: str
    legacy_tier: Tier
    enrolled_on: date


@dataclass(frozen=True)
class RecordCertification:
    partner_code: str
    individual: str
    kind: CertificationKind
    specialization: Specialization
    effective_on: date
    expires_on: date
