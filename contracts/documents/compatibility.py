"""Whether a change to a published event schema would break the subscribers that rely on it.

A published (event type, schema version) is frozen: messages were written under it and stay on
the topics forever, and subscribers were built against it. A change is breaking when

- a message valid under the published schema could be refused by the new one (a field removed,
  a new required field or one that became required, an enum value removed, a range or length
  narrowed, a pattern, format or constant changed, unknown fields no longer allowed), or
- a field's JSON type changes, nullability included: subscribers' code reads that type.

Anything else keeps every published message valid (a new optional field, a new enum value, a
range widened, a description changed): it is compatible, and only makes the committed files
stale. A breaking change needs a new schema version (a new payload class, an upcaster and a
new contract in the catalog); the old version's file stays, as the contract of old messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

JsonSchema = dict[str, Any]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "x-decimal-minimum")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "x-decimal-maximum")
_ASSERTIONS = ("const", "format", "pattern")
_COMPARED = frozenset(
    (
        *_LOWER_BOUNDS,
        *_UPPER_BOUNDS,
        *_ASSERTIONS,
        "type",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "propertyNames",
    )
)


@dataclass(frozen=True)
class Change:
    path: str
    description: str
    breaking: bool

    def __str__(self) -> str:
        return f"{self.path}: {self.description}"


def compare(published: JsonSchema, current: JsonSchema, path: str = "$") -> list[Change]:
    """Every difference between two schemas of one contract, breaking or not."""
    return list(_differences(published, current, path))


def _differences(old: JsonSchema, new: JsonSchema, path: str) -> Iterator[Change]:
    yield from _type(old, new, path)
    yield from _enum(old, new, path)
    yield from _assertions(old, new, path)
    yield from _bounds(old, new, path)
    yield from _properties(old, new, path)
    yield from _additional_properties(old, new, path)
    for keyword, where in (("items", f"{path}[]"), ("propertyNames", f"{path}{{key}}")):
        if keyword in old or keyword in new:
            yield from _differences(old.get(keyword, {}), new.get(keyword, {}), where)
    for keyword in sorted((set(old) | set(new)) - _COMPARED):
        if old.get(keyword) != new.get(keyword):
            yield Change(path, f"annotation {keyword!r} changed", breaking=False)


def _types(schema: JsonSchema) -> frozenset[str]:
    kind = schema.get("type")
    if kind is None:
        return frozenset()
    return frozenset([kind] if isinstance(kind, str) else kind)


def _type(old: JsonSchema, new: JsonSchema, path: str) -> Iterator[Change]:
    before, after = _types(old), _types(new)
    if before != after:
        yield Change(path, f"type changed from {sorted(before)} to {sorted(after)}", breaking=True)


def _enum(old: JsonSchema, new: JsonSchema, path: str) -> Iterator[Change]:
    if "enum" not in old and "enum" not in new:
        return
    if "enum" not in new:
        yield Change(path, "no longer limited to a list of values", breaking=False)
        return
    if "enum" not in old:
        yield Change(path, f"now limited to {new['enum']}", breaking=True)
        return
    removed = [value for value in old["enum"] if value not in new["enum"]]
    added = [value for value in new["enum"] if value not in old["enum"]]
    if removed:
        yield Change(path, f"enum values removed: {removed}", breaking=True)
    if added:
        yield Change(path, f"enum values added: {added}", breaking=False)


def _assertions(old: JsonSchema, new: JsonSchema, path: str) -> Iterator[Change]:
    for keyword in _ASSERTIONS:
        if old.get(keyword) != new.get(keyword):
            yield Change(
                path,
                f"{keyword} changed from {old.get(keyword)!r} to {new.get(keyword)!r}",
                breaking=keyword in new,  # dropping an assertion only widens what is valid
            )


def _bounds(old: JsonSchema, new: JsonSchema, path: str) -> Iterator[Change]:
    for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        lower = keyword in _LOWER_BOUNDS
        if after is None:
            narrowed = False
        elif before is None:
            narrowed = True
        else:
            narrowed = (
                Decimal(str(after)) > Decimal(str(before))
                if lower
                else (Decimal(str(after)) < Decimal(str(before)))
            )
        word = "narrowed" if narrowed else "widened"
        yield Change(path, f"range {word}: {keyword} {before} -> {after}", breaking=narrowed)


def _properties(old: JsonSchema, new: JsonSchema, path: str) -> Iterator[Change]:
    old_fields, new_fields = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    for name in old_fields:
        where = f"{path}.{name}"
        if name not in new_fields:
            yield Change(where, "field removed", breaking=True)
            continue
        if name in new_required and name not in old_required:
            yield Change(where, "field became required", breaking=True)
        if name in old_required and name not in new_required:
            yield Change(where, "field no longer required", breaking=False)
        yield from _differences(old_fields[name], new_fields[name], where)
    for name in new_fields:
        if name not in old_fields:
            required = name in new_required
            yield Change(
                f"{path}.{name}",
                "new required field" if required else "new optional field",
                breaking=required,
            )


def _additional_properties(old: JsonSchema, new: JsonSchema, path: str) -> Iterator[Change]:
    before, after = old.get("additionalProperties", True), new.get("additionalProperties", True)
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        yield from _differences(before, after, f"{path}{{*}}")
    elif after is False:
        yield Change(path, "unknown fields no longer allowed", breaking=True)
    elif before is False:
        yield Change(path, "unknown fields now allowed", breaking=False)
    else:
        yield Change(path, "schema of unknown fields changed", breaking=True)


@dataclass(frozen=True)
class Report:
    """The outcome of checking every published schema file against the current ones."""

    breaking: dict[str, list[Change]]
    compatible: dict[str, list[Change]]
    new: list[str]

    @property
    def ok(self) -> bool:
        return not self.breaking

    def describe_breaking(self) -> str:
        lines = []
        for name, changes in sorted(self.breaking.items()):
            lines.append(f"{name} is published and would break its subscribers:")
            lines.extend(f"  - {change}" for change in changes)
        lines.append(
            "A published schema version is frozen: add a new schema version (payload class, "
            "upcaster, catalog contract) instead of changing this one."
        )
        return "\n".join(lines)


def check(published: dict[str, JsonSchema], current: dict[str, JsonSchema]) -> Report:
    """Compare published schema files (by name) with the ones the code would publish now."""
    breaking: dict[str, list[Change]] = {}
    compatible: dict[str, list[Change]] = {}
    for name, schema in sorted(published.items()):
        if name not in current:
            breaking[name] = [Change("$", "no longer published (its messages stay)", True)]
            continue
        changes = compare(schema, current[name])
        if any(change.breaking for change in changes):
            breaking[name] = [change for change in changes if change.breaking]
        elif changes:
            compatible[name] = changes
    return Report(breaking, compatible, sorted(set(current) - set(published)))
