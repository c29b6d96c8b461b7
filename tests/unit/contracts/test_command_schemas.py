"""Validation at the edge names the field and the rule it broke."""

from datetime import date

import pytest
from marshmallow import ValidationError

from contracts.inputs.commands import (
    EnrollPartnerSchema,
    RecordCertificationSchema,
    describe_errors,
)
from domain.program import Tier

VALID_CERTIFICATION = {
    "partner_code": "antemeta",
    "individual": "Ann",
    "kind": "technical",
    "specialization": "data-protection",
    "effective_on": "2010-12-01",
    "expires_on": "2012-12-01",
}


def errors_for(schema, data) -> str:
    with pytest.raises(ValidationError) as raised:
        schema.load(data)
    return describe_errors(raised.value)


def test_valid_enrolment_becomes_a_command():
    command = EnrollPartnerSchema().load(
        {"code": "antemeta", "name": "Antemeta", "legacy_tier": "gold", "enrolled_on": "2010-11-02"}
    )
    assert command.legacy_tier is Tier.GOLD
    assert command.enrolled_on == date(2010, 11, 2)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "presales", "kind: Must be one of: sales, technical."),
        ("specialization", "quantum", "specialization: Must be one of"),
        ("effective_on", "2010-13-01", "effective_on: Not a valid date."),
        ("partner_code", "Not A Code", "partner_code: must be 2-63 lowercase"),
        ("expires_on", "2010-11-30", "expires_on: must be after effective_on"),
    ],
)
def test_each_bad_field_is_named(field, value, message):
    assert message in errors_for(RecordCertificationSchema(), {**VALID_CERTIFICATION, field: value})


def test_missing_field_is_named():
    data = dict(VALID_CERTIFICATION)
    del data["expires_on"]
    assert "expires_on: Missing data for required field." in errors_for(
        RecordCertificationSchema(), data
    )
