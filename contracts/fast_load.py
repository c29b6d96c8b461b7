"""A fast ``Schema.load`` for the messages it is sure about, derived from the schema's fields.

The projector decodes every message it reads; marshmallow's general machinery costs several
times the rest of the work. This builds, from a schema's own field declarations, converters that
accept only the JSON types marshmallow would turn into the same values and that run the fields'
own validators. Whatever they are unsure of goes back to ``Schema.load``, which decides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from marshmallow import Schema, fields
from marshmallow.decorators import POST_LOAD

Convert = Callable[[Any], Any]


class _NotFast(Exception):
    """The fast path declines a value; ``Schema.load`` decides."""


def _decline(_: Any = None) -> Any:
    raise _NotFast


class FastLoad:
    """``schema.load`` for the inputs it is sure about, derived from the schema's own fields.

    Each field gets a converter that accepts only the JSON type its field turns into the same
    value marshmallow would (a string for a date, UUID, enum value or decimal; an int for an
    integer...), then runs the field's own validators. The input must carry exactly the
    schema's fields. Anything else (a missing or extra key, an unusual type, a failed
    validator) makes `load` return None so the caller falls back to ``Schema.load``, which
    produces the same value or the error. Schemas with hooks other than plain ``post_load``
    processors, or fields of a kind not handled here, get no fast path (`supported` is False).
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.post_load: list[Callable[..., Any]] = []
        converters: dict[str, Convert] | None = {}
        for tag, hooks in schema._hooks.items():
            for attr_name, many, options in hooks:
                if tag != POST_LOAD or many or options.get("pass_original"):
                    converters = None
                self.post_load.append(getattr(schema, attr_name))
        if converters is not None:
            for name, schema_field in schema.fields.items():
                plain = schema_field.data_key in (None, name) and schema_field.attribute in (
                    None,
                    name,
                )
                convert = _converter(schema_field) if plain else None
                if convert is None or schema_field.dump_only:
                    converters = None
                    break
                converters[name] = convert
        self.converters = converters
        self.names = frozenset(converters or ())

    @property
    def supported(self) -> bool:
        return self.converters is not None

    def load(self, raw: Any) -> Any:
        converters = self.converters
        if converters is None or type(raw) is not dict or raw.keys() != self.names:
            return None
        try:
            data = {name: convert(raw[name]) for name, convert in converters.items()}
        except Exception:  # any doubt goes to Schema.load, which decides
            return None
        for processor in self.post_load:
            data = processor(data, many=False, partial=None)
        return data


def _converter(schema_field: fields.Field) -> Convert | None:  # type: ignore[type-arg]
    if schema_field.pre_load or schema_field.post_load:
        return None
    convert = _base_converter(schema_field)
    if convert is None:
        return None
    validators = tuple(schema_field.validators)
    allow_none = schema_field.allow_none

    def checked(value: Any) -> Any:
        if value is None:
            return None if allow_none else _decline()
        result = convert(value)
        for validator in validators:
            validator(result)
        return result

    return checked


def _of_type(kind: type, make: Convert) -> Convert:
    def convert(value: Any) -> Any:
        return make(value) if type(value) is kind else _decline()

    return convert


def _same(value: Any) -> Any:
    return value


def _temporal(schema_field: Any) -> Convert | None:
    if schema_field.format not in (None, "iso", "iso8601"):
        return None
    if type(schema_field) is fields.Date:
        return _of_type(str, date.fromisoformat)

    def aware(value: str) -> datetime:
        result = datetime.fromisoformat(value)
        return result if result.tzinfo is not None else _decline()

    return _of_type(str, aware)


def _decimal(schema_field: Any) -> Convert | None:
    if schema_field.places is not None or schema_field.allow_nan:
        return None

    def finite(value: str) -> Decimal:
        result = Decimal(value)
        return result if result.is_finite() else _decline()

    return _of_type(str, finite)


def _enum(schema_field: Any) -> Convert | None:
    if schema_field.by_value is not True:
        return None
    enum = schema_field.enum
    value_types = {type(member.value) for member in enum}
    return _of_type(value_types.pop(), enum) if len(value_types) == 1 else None


def _list(schema_field: Any) -> Convert | None:
    inner = _converter(schema_field.inner)
    return None if inner is None else _of_type(list, lambda v: [inner(x) for x in v])


def _dict(schema_field: Any) -> Convert | None:
    keys = schema_field.key_field
    plain_keys = keys is None or (
        type(keys) is fields.String and not keys.validators and not keys.pre_load
    )
    # JSON object keys are strings already: marshmallow keeps every key and value as is.
    return _of_type(dict, dict) if plain_keys and schema_field.value_field is None else None


# Per field class (exactly that class, not a subclass): how its converter is made.
_CONVERTERS: dict[type, Callable[[Any], Convert | None]] = {
    fields.String: lambda _: _of_type(str, _same),
    fields.Integer: lambda _: _of_type(int, _same),
    fields.Boolean: lambda _: _of_type(bool, _same),
    fields.UUID: lambda _: _of_type(str, UUID),
    fields.Date: _temporal,
    fields.AwareDateTime: _temporal,
    fields.Decimal: _decimal,
    fields.Enum: _enum,
    fields.List: _list,
    fields.Dict: _dict,
}


def _base_converter(schema_field: fields.Field) -> Convert | None:  # type: ignore[type-arg]
    make = _CONVERTERS.get(type(schema_field))
    return None if make is None else make(schema_field)
