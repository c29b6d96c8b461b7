"""Command schemas: validate raw input at the edge (CLI, HTTP) into domain commands.

A field that fails validation is reported by name with the rule it broke, before anything
reaches the ledger.
"""

from __future__ import annotations

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

from domain.commands import EnrollPartner, RecordCertification
from domain.program import CertificationKind, Specialization, Tier

_code = fields.String(
    required=True,
    validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9-]{1,62}$",
        error="must be 2-63 lowercase letters, digits or hyphens",
    ),
)


class EnrollPartnerSchema(Schema):
    class Meta:
        unknown = RAISE

    code = _code
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    legacy_tier = fields.Enum(Tier, by_value=True, required=True)
    enrolled_on = fields.Date(required=True)

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
    effective_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)

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
