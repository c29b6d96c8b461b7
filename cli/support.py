"""What `ledger` handlers share: input validation that names the bad field, and business dates."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cli.errors import InvalidInput
from contracts.inputs.business_dates import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE

if TYPE_CHECKING:
    from marshmallow import Schema


def validated(schema: Schema, raw: dict[str, Any]) -> Any:
    """The domain command the schema builds from `raw`, or InvalidInput naming each bad field."""
    from marshmallow import ValidationError

    from contracts.inputs.commands import describe_errors

    try:
        return schema.load({k: v for k, v in raw.items() if v is not None})
    except ValidationError as error:
        raise InvalidInput(describe_errors(error)) from None


def parse_date(field: str, raw: str) -> date:
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{field}: {raw!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise InvalidInput(f"{field}: {OUT_OF_RANGE}")
    return parsed


def optional_date(field: str, raw: str | None) -> date | None:
    return parse_date(field, raw) if raw else None


def today_or(raw: str | None) -> str:
    """Business dates default to today, read here at the edge and never in the domain."""
    return raw or date.today().isoformat()


def to_json_object(item: Any) -> str:
    """`--json` for an answer about exactly one thing: an object, where a list query gives a list.

    Rendered by infra.output.to_json, the one place that knows how dataclasses, dates and
    decimals become JSON, so both shapes always agree on every field.
    """
    import json

    from infra.output import to_json

    (document,) = json.loads(to_json([item]))
    return json.dumps(document, indent=2)
