"""Command schemas: validate raw input at the edge (CLI, HTTP) into domain commands.

A field that fails validation is reported by name with the rule it broke, before anything
reaches the ledger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from contracts.inputs.business_dates import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE
from domain.commands import (
    AwardSpecialization,
    ConsumeEngineerDays,
    EngageVendorSales,
    EnrollPartner,
    IssueQuote,
    RecordCertification,
    RecordLoss,
    RecordWin,
    RegisterDeal,
    ReleaseExclusivity,
    RevokeCertification,
)
from domain.program import CertificationKind, Specialization, Tier

_partner_code_rule = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{1,62}$",
    error="must be 2-63 lowercase letters, digits or hyphens",
)
_code = fields.String(required=True, validate=_partner_code_rule)


def _business_date() -> fields.Date:
    return fields.Date(
        required=True,
        validate=validate.Range(min=EARLIEST_DATE, max=LATEST_DATE, error=OUT_OF_RANGE),
    )


class EnrollPartnerSchema(Schema):
    class Meta:
        unknown = RAISE

    code = _code
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    legacy_tier = fields.Enum(Tier, by_value=True, required=True)
    enrolled_on = _business_date()

    @post_load
    def make_command(self, data: dict[str, Any], **_: Any) -> EnrollPartner:
        return EnrollPartner(**data)


class RecordCertificationSchema(Schema):
    class Meta:
        unknown = RAISE

    partner_code = _code
    individual = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(CertificationKind, by_value=True, required=True)
    specialization = fields.Enum(Specialization, by_value=True, required=True)
    effective_on = _business_date()
    expires_on = _business_date()

    @validates_schema
    def expiry_after_effective_date(self, data: dict[str, Any], **_: Any) -> None:
        if data["expires_on"] <= data["effective_on"]:
            raise ValidationError("must be after effective_on", field_name="expires_on")

    @post_load
    def make_command(self, data: dict[str, Any], **_: Any) -> RecordCertification:
        return RecordCertification(**data)


def describe_errors(error: ValidationError) -> str:
    """One line per invalid field: ``field: reason``."""
    messages = error.normalized_messages()  # type: ignore[no-untyped-call]
    lines = []
    for field_name, reasons in sorted(messages.items()):
        text = "; ".join(reasons) if isinstance(reasons, list) else str(reasons)
        lines.append(f"{field_name}: {text}")
    return "\n".join(lines)


_reference = fields.String(
    required=True,
    validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$",
        error="must be 2-100 letters, digits, dots, hyphens or underscores",
    ),
)


# Amounts up to a trillion with cents stay exact as floats too (SQLite stores NUMERIC so).
MAX_AMOUNT = Decimal("1000000000000")


def _amount() -> fields.Decimal:
    return fields.Decimal(
        required=True,
        allow_nan=False,
        validate=[
            validate.Range(max=MAX_AMOUNT, error="must not exceed 1000000000000"),
            AtMostCents(),
        ],
    )


class AtMostCents(validate.Validator):
    """A money amount: not negative ("-0.00" included), at most 2 decimal places."""

    # For the OpenAPI document (contracts.documents.json_schema): the plain decimal notation
    # this accepts. An exponent ("1.5e1") is accepted too but left out of what clients are told.
    json_schema = {"pattern": r"^[0-9]+(\.[0-9]{1,2})?$"}

    def __call__(self, amount: Decimal) -> Decimal:
        if amount.is_signed():
            raise ValidationError("must not be negative")
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise ValidationError("must have at most 2 decimal places")
        return amount


class _CommandSchema(Schema):
    class Meta:
        unknown = RAISE

    command_class: type

    @post_load
    def make_command(self, data: dict[str, Any], **_: Any) -> Any:
        return self.command_class(**data)


class RevokeCertificationSchema(_CommandSchema):
    command_class = RevokeCertification
    partner_code = _code
    individual = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(CertificationKind, by_value=True, required=True)
    specialization = fields.Enum(Specialization, by_value=True, required=True)
    revoked_on = _business_date()
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class AwardSpecializationSchema(_CommandSchema):
    command_class = AwardSpecialization
    partner_code = _code
    specialization = fields.Enum(Specialization, by_value=True, required=True)
    contract_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    awarded_on = _business_date()


class RegisterDealSchema(_CommandSchema):
    command_class = RegisterDeal
    opportunity = _reference
    end_customer = fields.String(required=True, validate=validate.Length(min=1, max=200))
    specialization = fields.Enum(Specialization, by_value=True, required=True)
    partner_code = _code
    estimated_value = _amount()
    expected_close = _business_date()
    presales_evidence = fields.String(required=True, validate=validate.Length(max=2000))
    new_business = fields.Boolean(required=True)
    registered_on = _business_date()
    # SIREN, SIRET or EU VAT number; checked (Luhn, VAT format and key) by the domain.
    company_identifier = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=40)
    )

    @validates_schema
    def close_not_before_registration(self, data: dict[str, Any], **_: Any) -> None:
        if data["expected_close"] < data["registered_on"]:
            raise ValidationError("must not be before registered_on", field_name="expected_close")


class EngageVendorSalesSchema(_CommandSchema):
    command_class = EngageVendorSales
    opportunity = _reference
    end_customer = fields.String(required=True, validate=validate.Length(min=1, max=200))
    specialization = fields.Enum(Specialization, by_value=True, required=True)
    engaged_on = _business_date()
    note = fields.String(required=True, validate=validate.Length(max=500))


class ReleaseExclusivitySchema(_CommandSchema):
    command_class = ReleaseExclusivity
    opportunity = _reference
    partner_code = _code
    released_on = _business_date()
    reason = fields.String(required=True, validate=validate.Length(max=500))


class IssueQuoteSchema(_CommandSchema):
    command_class = IssueQuote
    opportunity = _reference
    partner_code = _code
    list_price = _amount()
    issued_on = _business_date()


class RecordWinSchema(_CommandSchema):
    command_class = RecordWin
    opportunity = _reference
    partner_code = _code
    amount = _amount()
    won_on = _business_date()


class RecordLossSchema(_CommandSchema):
    command_class = RecordLoss
    opportunity = _reference
    lost_on = _business_date()
    reason = fields.String(required=True, validate=validate.Length(max=500))
    lost_to = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200))


# A protection grants a handful of engineer days: a draw of more than a year's worth is a typo.
MAX_ENGINEER_DAYS = 365


class DrawEngineerDaysSchema(Schema):
    """A draw of engineer days on an opportunity named apart (the URL's path, the command line)."""

    class Meta:
        unknown = RAISE

    days = fields.Integer(
        required=True,
        validate=validate.Range(
            min=1, max=MAX_ENGINEER_DAYS, error=f"must be between 1 and {MAX_ENGINEER_DAYS}"
        ),
    )
    consumed_on = _business_date()
    partner_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=_partner_code_rule,
        metadata={"description": "the protected partner (default: whoever holds the protection)"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))


def draw_engineer_days(opportunity: str, draw: dict[str, Any]) -> ConsumeEngineerDays:
    """The command for a draw loaded by DrawEngineerDaysSchema on `opportunity`."""
    return ConsumeEngineerDays(opportunity=opportunity.strip(), **draw)
