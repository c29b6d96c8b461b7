"""Marshmallow schemas as JSON Schema (draft 2020-12), for subscribers that don't run Python.

The JSON Schema describes the wire form the ledger writes, field by field, with the same
constraints the marshmallow schema enforces on load. Where marshmallow's load is more lenient
than that form (a number for a decimal amount, a numeric string for an integer), the JSON
Schema is not: subscribers can rely on what is written, and the codec stays tolerant.

Only the field kinds and validators the contracts use are supported; anything else raises
`UnsupportedField` naming the field, so a new kind of field cannot slip into a published
contract with a vaguer schema than it really has.

Decimal amounts travel as strings (see contracts.wire.payloads), and JSON Schema has no numeric
bounds on strings: a lower bound of zero or more becomes a pattern without a minus sign, and
the exact bounds are kept as `x-decimal-minimum` / `x-decimal-maximum` annotations, which
validators ignore and the compatibility check compares. Bounds on dates are kept the same way
(`x-date-minimum` / `x-date-maximum`).

The same converter describes the HTTP API's schemas for its OpenAPI 3.1 document (whose
dialect is this JSON Schema 2020-12), with `Form.HTTP`: the API's JSON carries every decimal as
a string both ways, so a decimal field is a string with its pattern whether or not it dumps as
one; a validator the converter cannot know may describe itself (a `json_schema` attribute, a
mapping merged into the field's schema); fields get their `description`; and, as one schema
describes both a request and a response there, a field that is load-only or dump-only is
refused. The published event documents use `Form.WIRE`, unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from contracts.wire.catalog import EventContract
from contracts.wire.envelope import ENVELOPE_VERSION, EnvelopeSchema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
NON_NEGATIVE_DECIMAL_PATTERN = r"^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"

JsonSchema = dict[str, Any]


class Form(enum.Enum):
    """Which document a schema is described for."""

    WIRE = "wire"  # the published event contracts: the form the ledger writes on Kafka
    HTTP = "http"  # the HTTP API's OpenAPI document: requests and responses alike


class UnsupportedField(TypeError):
    """A schema uses a field kind or validator this converter cannot describe faithfully."""


def object_schema(schema: Schema, where: str, form: Form = Form.WIRE) -> JsonSchema:
    """The JSON Schema of a marshmallow schema's load form; `where` names it in errors."""
    properties: JsonSchema = {}
    required: list[str] = []
    for name, schema_field in schema.fields.items():
        if form is Form.HTTP and (schema_field.dump_only or schema_field.load_only):
            raise UnsupportedField(
                f"{where}.{name}: load-only and dump-only fields cannot be described for HTTP"
            )
        if schema_field.dump_only:
            continue
        key = schema_field.data_key or name
        properties[key] = field_schema(schema_field, f"{where}.{name}", form)
        if schema_field.required:
            required.append(key)
    result: JsonSchema = {"type": "object", "properties": properties}
    if required:
        result["required"] = sorted(required)
    # Schemas that refuse unknown keys on load are closed on the wire too.
    result["additionalProperties"] = schema.unknown != RAISE
    return result


def field_schema(schema_field: fields.Field[Any], where: str, form: Form = Form.WIRE) -> JsonSchema:
    """The JSON Schema of one field's value, with its validators and nullability."""
    result = _kind(schema_field, where, form)
    for validator in schema_field.validators:
        result.update(_constraint(validator, schema_field, result, where, form))
    if schema_field.allow_none:
        result = _nullable(result)
    description = schema_field.metadata.get("description")
    if form is Form.HTTP and description:
        result["description"] = str(description)
    return result


def _kind(schema_field: fields.Field[Any], where: str, form: Form) -> JsonSchema:
    for kind, convert in _COMPOSITE:
        if isinstance(schema_field, kind):
            return convert(schema_field, where, form)
    # In order: a UUID field is a String, so it must be recognised first.
    for kind, simple in _SIMPLE:
        if isinstance(schema_field, kind):
            return dict(simple)
    raise UnsupportedField(f"{where}: no JSON Schema for {type(schema_field).__name__} fields")


def _enum(schema_field: fields.Enum[Any], where: str, _form: Form) -> JsonSchema:
    if not schema_field.by_value:
        raise UnsupportedField(f"{where}: only enums published by value are supported")
    values = [member.value for member in schema_field.enum]
    kinds = {type(value) for value in values}
    if kinds != {str}:
        raise UnsupportedField(f"{where}: enum values must be strings, not {kinds}")
    return {"type": "string", "enum": values}


def _decimal(schema_field: fields.Decimal, where: str, form: Form) -> JsonSchema:
    # Over HTTP Flask writes a Decimal as its string, and loading takes one: a string either way.
    if form is Form.WIRE and not schema_field.as_string:
        raise UnsupportedField(f"{where}: decimals must travel as strings (as_string=True)")
    return {"type": "string", "pattern": DECIMAL_PATTERN}


def _nested(schema_field: fields.Nested, where: str, form: Form) -> JsonSchema:
    nested = schema_field.schema
    inner = object_schema(nested, where, form)
    return {"type": "array", "items": inner} if nested.many else inner


def _list(schema_field: fields.List[Any], where: str, form: Form) -> JsonSchema:
    return {"type": "array", "items": field_schema(schema_field.inner, f"{where}[]", form)}


def _dict(schema_field: fields.Dict, where: str, form: Form) -> JsonSchema:
    result: JsonSchema = {"type": "object"}
    if schema_field.key_field is not None:
        keys = field_schema(schema_field.key_field, f"{where}{{key}}", form)
        if keys != {"type": "string"}:
            result["propertyNames"] = keys
    if schema_field.value_field is not None:
        result["additionalProperties"] = field_schema(
            schema_field.value_field, f"{where}{{value}}", form
        )
    return result


_COMPOSITE: tuple[tuple[type, Callable[[Any, str, Form], JsonSchema]], ...] = (
    (fields.Enum, _enum),
    (fields.Decimal, _decimal),
    (fields.Nested, _nested),
    (fields.List, _list),
    (fields.Dict, _dict),
)
_SIMPLE: tuple[tuple[type, JsonSchema], ...] = (
    (fields.UUID, {"type": "string", "format": "uuid"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.AwareDateTime, {"type": "string", "format": "date-time"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.String, {"type": "string"}),
)


def _constraint(
    validator: Any, schema_field: fields.Field[Any], kind: JsonSchema, where: str, form: Form
) -> JsonSchema:
    described = getattr(validator, "json_schema", None)
    if form is Form.HTTP and isinstance(described, Mapping):
        return dict(described)
    match validator:
        case validate.Range():
            return _range(validator, schema_field, kind, where, form)
        case validate.Length():
            return _length(validator, kind, where)
        case validate.OneOf():
            return {"enum": list(validator.choices)}
        case validate.Equal():
            return {"const": _json_value(validator.comparable, where)}
        case validate.Regexp():
            return {"pattern": _anchored(str(validator.regex.pattern), where)}
    raise UnsupportedField(f"{where}: no JSON Schema for validator {type(validator).__name__}")


def _range(
    validator: validate.Range,
    schema_field: fields.Field[Any],
    kind: JsonSchema,
    where: str,
    form: Form,
) -> JsonSchema:
    if isinstance(schema_field, fields.Decimal):
        return _decimal_range(validator, where, form)
    if isinstance(schema_field, fields.Date):
        return _date_range(validator, where)
    if kind.get("type") not in {"integer", "number"}:
        raise UnsupportedField(f"{where}: Range on a {kind.get('type')} field")
    result: JsonSchema = {}
    if validator.min is not None:
        result["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
    if validator.max is not None:
        result["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
    return result


def _decimal_range(validator: validate.Range, where: str, form: Form) -> JsonSchema:
    result: JsonSchema = {}
    if validator.min is not None:
        result[_decimal_bound("minimum", validator.min_inclusive, where, form)] = str(
            Decimal(validator.min)
        )
        if Decimal(validator.min) >= 0:
            result["pattern"] = NON_NEGATIVE_DECIMAL_PATTERN
    if validator.max is not None:
        result[_decimal_bound("maximum", validator.max_inclusive, where, form)] = str(
            Decimal(validator.max)
        )
    return result


def _decimal_bound(bound: str, inclusive: bool, where: str, form: Form) -> str:
    # The compatibility check of the published contracts compares inclusive bounds only.
    if inclusive:
        return f"x-decimal-{bound}"
    if form is Form.WIRE:
        raise UnsupportedField(f"{where}: exclusive decimal bounds are not supported")
    return f"x-decimal-exclusive-{bound}"


def _date_range(validator: validate.Range, where: str) -> JsonSchema:
    if not (validator.min_inclusive and validator.max_inclusive):
        raise UnsupportedField(f"{where}: exclusive date bounds are not supported")
    result: JsonSchema = {}
    if validator.min is not None:
        result["x-date-minimum"] = validator.min.isoformat()
    if validator.max is not None:
        result["x-date-maximum"] = validator.max.isoformat()
    return result


def _length(validator: validate.Length, kind: JsonSchema, where: str) -> JsonSchema:
    prefix = {"string": "Length", "array": "Items"}.get(kind.get("type", ""))
    if prefix is None:
        raise UnsupportedField(f"{where}: Length on a {kind.get('type')} field")
    low = validator.equal if validator.equal is not None else validator.min
    high = validator.equal if validator.equal is not None else validator.max
    result: JsonSchema = {}
    if low:  # a minimum of 0 or None constrains nothing
        result[f"min{prefix}"] = low
    if high is not None:
        result[f"max{prefix}"] = high
    return result


def _anchored(pattern: str, where: str) -> str:
    # marshmallow applies re.match (anchored at the start); JSON Schema patterns search.
    for python_only in ("(?P", r"\A", r"\Z"):
        if python_only in pattern:
            raise UnsupportedField(f"{where}: pattern uses Python-only syntax {python_only!r}")
    return pattern if pattern.startswith("^") else f"^(?:{pattern})"


def _json_value(value: Any, where: str) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, str | int | bool):
        return value
    raise UnsupportedField(f"{where}: no JSON form for constant {value!r}")


def _nullable(result: JsonSchema) -> JsonSchema:
    nullable = dict(result)
    if "type" in nullable:
        nullable["type"] = [nullable["type"], "null"]
    if "enum" in nullable and None not in nullable["enum"]:
        nullable["enum"] = [*nullable["enum"], None]
    if "const" in nullable:
        nullable["enum"] = [nullable.pop("const"), None]
    return nullable


# --- the published documents -----------------------------------------------------------------

ID_PREFIX = "urn:channel-ledger:"


def envelope_document() -> JsonSchema:
    """The envelope alone, with the payload left open: what every message on a topic is."""
    body = object_schema(EnvelopeSchema(), "EnvelopeSchema")
    return {
        "$schema": DIALECT,
        "$id": f"{ID_PREFIX}envelope:v{ENVELOPE_VERSION}",
        "title": f"Channel Ledger event envelope, version {ENVELOPE_VERSION}",
        "description": (
            "Every message value on the ledger's topics. `payload` is described per event "
            "type and schema version in events/<event-type>.v<N>.schema.json."
        ),
        **body,
    }


def event_document(contract: EventContract) -> JsonSchema:
    """One event type at one schema version: the envelope with its payload and names pinned."""
    name = f"{contract.event_type} v{contract.schema_version}"
    body = object_schema(EnvelopeSchema(), "EnvelopeSchema")
    properties = dict(body["properties"])
    properties["event_type"] = {"type": "string", "const": contract.event_type}
    properties["schema_version"] = {"type": "integer", "const": contract.schema_version}
    properties["aggregate_type"] = {"type": "string", "const": contract.aggregate_type}
    properties["payload"] = object_schema(contract.payload, type(contract.payload).__name__)
    return {
        "$schema": DIALECT,
        "$id": f"{ID_PREFIX}event:{contract.event_type}:v{contract.schema_version}",
        "title": f"{name} (envelope version {ENVELOPE_VERSION})",
        "description": (
            f"An event of type {contract.event_type}, schema version {contract.schema_version}; "
            f"`effective_on` is its payload's `{contract.business_date_field}`."
        ),
        **body,
        "properties": properties,
    }
