"""Marshmallow fields and validators become the JSON Schema that accepts what they accept."""

from __future__ import annotations

import enum
from datetime import date

import pytest
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from contracts.documents.json_schema import Form, UnsupportedField, field_schema, object_schema


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_required_fields_and_closed_objects():
    class Closed(Schema):
        class Meta:
            unknown = RAISE

        name = fields.String(required=True)
        note = fields.String()

    assert object_schema(Closed(), "Closed") == {
        "type": "object",
        "properties": {"name": {"type": "string"}, "note": {"type": "string"}},
        "required": ["name"],
        "additionalProperties": False,
    }


def test_schemas_that_ignore_unknown_fields_stay_open():
    class Open(Schema):
        class Meta:
            unknown = EXCLUDE

    assert object_schema(Open(), "Open")["additionalProperties"] is True


def test_nullable_enum_admits_null_among_its_values():
    schema = field_schema(fields.Enum(Colour, by_value=True, allow_none=True), "f")
    assert schema == {"type": ["string", "null"], "enum": ["red", "blue", None]}


def test_ranges_keep_their_inclusiveness():
    schema = field_schema(fields.Integer(validate=validate.Range(0, 10, min_inclusive=False)), "f")
    assert schema == {"type": "integer", "exclusiveMinimum": 0, "maximum": 10}


def test_length_limits_strings_and_lists_differently():
    assert field_schema(fields.String(validate=validate.Length(equal=3)), "f") == {
        "type": "string",
        "minLength": 3,
        "maxLength": 3,
    }
    listed = field_schema(fields.List(fields.UUID(), validate=validate.Length(min=1)), "f")
    assert listed == {"type": "array", "items": {"type": "string", "format": "uuid"}, "minItems": 1}


def test_regexp_is_anchored_at_the_start_like_marshmallow():
    assert field_schema(fields.String(validate=validate.Regexp("[a-z]+")), "f")["pattern"] == (
        "^(?:[a-z]+)"
    )


def test_decimal_amounts_are_strings_with_their_bounds_kept():
    schema = field_schema(
        fields.Decimal(as_string=True, validate=validate.Range(min=0, max=100)), "f"
    )
    assert schema["type"] == "string"
    assert not schema["pattern"].startswith("^-")
    assert (schema["x-decimal-minimum"], schema["x-decimal-maximum"]) == ("0", "100")


def test_oneof_and_equal_become_enum_and_const():
    assert field_schema(fields.String(validate=validate.OneOf(["a", "b"])), "f")["enum"] == [
        "a",
        "b",
    ]
    assert field_schema(fields.Integer(validate=validate.Equal(1)), "f")["const"] == 1


def test_nested_schemas_are_inlined():
    class Line(Schema):
        sku = fields.String(required=True)

    schema = field_schema(fields.Nested(Line, many=True), "f")
    assert schema["type"] == "array"
    assert schema["items"]["required"] == ["sku"]


@pytest.mark.parametrize(
    ("field", "complaint"),
    [
        (fields.Float(), "Float"),
        (fields.Decimal(), "as_string"),
        (fields.Enum(Colour), "by value"),
        (fields.NaiveDateTime(), "NaiveDateTime"),
        (fields.Email(), "Email"),
    ],
)
def test_unsupported_fields_are_refused_by_name(field, complaint):
    with pytest.raises(UnsupportedField, match=complaint) as raised:
        field_schema(field, "Payload.amount")
    assert "Payload.amount" in str(raised.value)


def test_date_bounds_are_kept_as_annotations():
    bounded = fields.Date(validate=validate.Range(min=date(1990, 1, 1), max=date(2999, 12, 31)))
    assert field_schema(bounded, "f") == {
        "type": "string",
        "format": "date",
        "x-date-minimum": "1990-01-01",
        "x-date-maximum": "2999-12-31",
    }


def test_over_http_a_decimal_is_a_string_however_it_dumps():
    loose = fields.Decimal(validate=validate.Range(min=0))
    assert field_schema(loose, "f", Form.HTTP)["type"] == "string"
    with pytest.raises(UnsupportedField, match="as_string"):
        field_schema(loose, "f", Form.WIRE)


def test_over_http_a_validator_may_describe_itself():
    class Even(validate.Validator):
        json_schema = {"multipleOf": 2}

        def __call__(self, value):
            return value

    described = fields.Integer(validate=Even())
    assert field_schema(described, "f", Form.HTTP) == {"type": "integer", "multipleOf": 2}
    with pytest.raises(UnsupportedField, match="Even"):
        field_schema(described, "f", Form.WIRE)


def test_over_http_exclusive_decimal_bounds_are_annotated():
    share = fields.Decimal(validate=validate.Range(min=0, max=100, max_inclusive=False))
    schema = field_schema(share, "f", Form.HTTP)
    assert (schema["x-decimal-minimum"], schema["x-decimal-exclusive-maximum"]) == ("0", "100")


def test_over_http_fields_keep_their_description():
    described = fields.String(metadata={"description": "the partner"})
    assert field_schema(described, "f", Form.HTTP)["description"] == "the partner"
    assert "description" not in field_schema(described, "f", Form.WIRE)


def test_over_http_a_one_sided_field_is_refused():
    class OneSided(Schema):
        secret = fields.String(load_only=True)

    with pytest.raises(UnsupportedField, match=r"OneSided\.secret"):
        object_schema(OneSided(), "OneSided", Form.HTTP)
