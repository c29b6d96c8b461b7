"""A fast ``Schema.load`` for the messages it is sure about, derived from the schema's fields.

The projector decodes every message it reads; marshmallow's general machinery costs several
times the rest of the work. This builds, from a schema's own field declarations, converters that
accept only the JSON types marshmallow would turn into the same values and that run the fields'
own validators. Whatever they are unsure of goes back to ``Schema.load``, which decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, SafeUUID

from marshmallow import Schema, fields
from marshmallow.decorators import POST_LOAD

Convert = Callable[[Any], Any]
# The JSON type a field accepts, and what makes its value from it (None: as it is).
Typed = tuple[type, Convert | None]


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

    The per-field steps are compiled into one function per schema (see `_compile`): the
    projector decodes every message, and a call per field per step cost more than the rest
    of decoding together.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.post_load: list[Callable[..., Any]] = []
        plans: list[_FieldPlan] | None = []
        for tag, hooks in schema._hooks.items():
            for attr_name, many, options in hooks:
                if tag != POST_LOAD or many or options.get("pass_original"):
                    plans = None
                self.post_load.append(getattr(schema, attr_name))
        if plans is not None:
            for name, schema_field in schema.fields.items():
                plain = schema_field.data_key in (None, name) and schema_field.attribute in (
                    None,
                    name,
                )
                plan = _plan(name, schema_field) if plain else None
                if plan is None or schema_field.dump_only:
                    plans = None
                    break
                plans.append(plan)
        self.names = frozenset(plan.name for plan in plans or ())
        self._load = None if plans is None else _compile(type(schema).__name__, plans)

    @property
    def supported(self) -> bool:
        return self._load is not None

    def load(self, raw: Any) -> Any:
        data = self.load_fields(raw)
        if data is None:
            return None
        for processor in self.post_load:
            data = processor(data, many=False, partial=None)
        return data

    def load_fields(self, raw: Any) -> dict[str, Any] | None:
        """The loaded fields, before any ``post_load`` processor; None when unsure."""
        if self._load is None or type(raw) is not dict or raw.keys() != self.names:
            return None
        try:
            data: dict[str, Any] = self._load(raw)
        except Exception:  # any doubt goes to Schema.load, which decides
            return None
        return data


@dataclass(frozen=True)
class _FieldPlan:
    """How one field is loaded: a JSON type check, then the value as it is or made into the
    field's type (a UUID, a date, an enum member...), then the field's validators."""

    name: str
    json_type: type  # the value's JSON type, checked exactly (no subclasses: bool is no int)
    make: Convert | None  # applied to the checked value; None keeps it as it is
    validators: tuple[Convert, ...]
    allow_none: bool


def _plan(name: str, schema_field: fields.Field) -> _FieldPlan | None:  # type: ignore[type-arg]
    if schema_field.pre_load or schema_field.post_load:
        return None
    kind = _KINDS.get(type(schema_field))
    typed = None if kind is None else kind(schema_field)
    if typed is None:
        return None
    json_type, make = typed
    return _FieldPlan(
        name, json_type, make, tuple(schema_field.validators), schema_field.allow_none
    )


def _compile(schema_name: str, plans: list[_FieldPlan]) -> Callable[[dict[str, Any]], Any]:
    """One function loading every field in turn; raises `_NotFast` (or the validator's or
    converter's own error) on anything it is unsure of.

    The source is built only from field positions and constants of this module, never from
    field names or data: names are passed as `keys`, so no schema can inject code.
    """
    namespace: dict[str, Any] = {"_NotFast": _NotFast, "keys": [p.name for p in plans]}
    lines = ["def load(raw):"]
    for n, plan in enumerate(plans):
        lines.append(f"    v = raw[keys[{n}]]")
        indent = "    "
        if plan.allow_none:
            lines += ["    if v is None:", f"        x{n} = None", "    else:"]
            indent = "        "
        namespace[f"t{n}"] = plan.json_type
        lines.append(f"{indent}if type(v) is not t{n}: raise _NotFast")
        if plan.make is not None:
            namespace[f"m{n}"] = plan.make
            lines.append(f"{indent}v = m{n}(v)")
        for k, validator in enumerate(plan.validators):
            namespace[f"v{n}_{k}"] = validator
            lines.append(f"{indent}v{n}_{k}(v)")
        lines.append(f"{indent}x{n} = v")
    entries = ", ".join(f"keys[{n}]: x{n}" for n in range(len(plans)))
    lines.append(f"    return {{{entries}}}")
    code = compile("\n".join(lines), f"<fast load of {schema_name}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated source; see the docstring
    load: Callable[[dict[str, Any]], Any] = namespace["load"]
    return load


def _converter(schema_field: fields.Field) -> Convert | None:  # type: ignore[type-arg]
    """A closure loading one field (for a list's items); raises `_NotFast` when unsure."""
    plan = _plan("item", schema_field)
    if plan is None:
        return None
    kind, make, validators, allow_none = plan.json_type, plan.make, plan.validators, plan.allow_none

    def checked(value: Any) -> Any:
        if value is None:
            return None if allow_none else _decline()
        if type(value) is not kind:
            _decline()
        result = value if make is None else make(value)
        for validator in validators:
            validator(result)
        return result

    return checked


def _uuid(text: str) -> UUID:
    """``UUID(text)`` for the canonical 36-character form, without its general parsing.

    The projector builds two or three UUIDs per event; ``UUID.__init__`` (prefix stripping,
    keyword checks) cost more than the rest of an envelope's fields. Any other form goes
    through ``UUID`` itself, so what is accepted and the value made are the same.
    """
    if len(text) != 36 or text.count("-") != 4 or text[8] != "-" or text[23] != "-":
        return UUID(text)
    value = _new_uuid(UUID)
    _set(value, "int", int(text.replace("-", ""), 16))
    _set(value, "is_safe", _UNKNOWN_SAFETY)
    return value


_new_uuid = object.__new__
_set = object.__setattr__
_UNKNOWN_SAFETY = SafeUUID.unknown


def _check_uuid_shortcut() -> None:
    # The shortcut fills UUID's slots as UUID.__init__ does; refuse to run if that changed.
    sample = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    made, reference = _uuid(sample), UUID(sample)
    if not (made == reference and hash(made) == hash(reference) and str(made) == sample):
        raise TypeError("uuid.UUID's layout changed: remove fast_load._uuid")
    if made.is_safe is not reference.is_safe:
        raise TypeError("uuid.UUID's layout changed: remove fast_load._uuid")


_check_uuid_shortcut()


def _temporal(schema_field: Any) -> Typed | None:
    if schema_field.format not in (None, "iso", "iso8601"):
        return None
    if type(schema_field) is fields.Date:
        return str, date.fromisoformat

    def aware(value: str) -> datetime:
        result = datetime.fromisoformat(value)
        return result if result.tzinfo is not None else _decline()

    return str, aware


def _decimal(schema_field: Any) -> Typed | None:
    if schema_field.places is not None or schema_field.allow_nan:
        return None

    def finite(value: str) -> Decimal:
        result = Decimal(value)
        return result if result.is_finite() else _decline()

    return str, finite


def _enum(schema_field: Any) -> Typed | None:
    if schema_field.by_value is not True:
        return None
    enum = schema_field.enum
    value_types = {type(member.value) for member in enum}
    return (value_types.pop(), enum) if len(value_types) == 1 else None


def _list(schema_field: Any) -> Typed | None:
    inner = _converter(schema_field.inner)
    return None if inner is None else (list, lambda v: [inner(x) for x in v])


def _dict(schema_field: Any) -> Typed | None:
    keys = schema_field.key_field
    plain_keys = keys is None or (
        type(keys) is fields.String and not keys.validators and not keys.pre_load
    )
    # JSON object keys are strings already: marshmallow keeps every key and value as is.
    return (dict, dict) if plain_keys and schema_field.value_field is None else None


# Per field class (exactly that class, not a subclass): the JSON type it accepts and what
# makes its value from that (None: the JSON value as it is).
_KINDS: dict[type, Callable[[Any], Typed | None]] = {
    fields.String: lambda _: (str, None),
    fields.Integer: lambda _: (int, None),
    fields.Boolean: lambda _: (bool, None),
    fields.UUID: lambda _: (str, _uuid),
    fields.Date: _temporal,
    fields.AwareDateTime: _temporal,
    fields.Decimal: _decimal,
    fields.Enum: _enum,
    fields.List: _list,
    fields.Dict: _dict,
}
