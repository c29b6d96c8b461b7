"""Commands: what a user asks the ledger to do, already parsed into domain types."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.program import CertificationKind, Specialization, Tier
from domain.rules import ProgramRules


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


@dataclass(frozen=True)
class PublishRules:
    rules: ProgramRules


@dataclass(frozen=True)
class RevokeCertification:
    partner_code: str
    individual: str
    kind: CertificationKind
    specialization: Specialization
    revoked_on: date
    reason: str


@dataclass(frozen=True)
class AwardSpecialization:
    partner_code: str
    specialization: Specialization
    contract_reference: str
    awarded_on: date


@dataclass(frozen=True)
class RegisterDeal:
    opportunity: str
    end_customer: str
    specialization: Specialization
    partner_code: str
    estimated_value: Decimal
    expected_close: date
    presales_evidence: str
    new_business: bool
    registered_on: date
    # A SIREN, SIRET or EU VAT number; the customer is then recognised by it as well as by name.
    company_identifier: str | None = None


@dataclass(frozen=True)
class EngageVendorSales:
    opportunity: str
    end_customer: str
    specialization: Specialization
    engaged_on: date
    note: str


@dataclass(frozen=True)
class ReleaseExclusivity:
    opportunity: str
    partner_code: str
    released_on: date
    reason: str


@dataclass(frozen=True)
class IssueQuote:
    opportunity: str
    partner_code: str
    list_price: Decimal
    issued_on: date


@dataclass(frozen=True)
class RecordWin:
    opportunity: str
    partner_code: str
    amount: Decimal
    won_on: date


@dataclass(frozen=True)
class RecordLoss:
    opportunity: str
    lost_on: date
    reason: str
    lost_to: str | None = None


@dataclass(frozen=True)
class ConsumeEngineerDays:
    """Draw vendor pre-sales engineer days against a protection (no partner: the holder's)."""

    opportunity: str
    partner_code: str | None
    days: int
    consumed_on: date
    note: str
