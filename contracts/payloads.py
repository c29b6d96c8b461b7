"""Payload schemas, one per published event type and schema version."""

from marshmallow import RAISE, Schema, fields, validate

from domain.program import CertificationKind, Specialization, Tier


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class PartnerEnrolledV1(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=2, max=63))
    name = fields.String(required=True, validate=validate.Length(min=1))
    legacy_tier = fields.Enum(Tier, by_value=True, required=True)
    enrolled_on = fields.Date(required=True)


class CertificationEarnedV1(StrictSchema):
    individual = fields.String(required=True, validate=validate.Length(min=1))
    kind = fields.Enum(CertificationKind, by_value=True, required=True)
    specialization = fields.Enum(Specialization, by_value=True, required=True)
    effective_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)
