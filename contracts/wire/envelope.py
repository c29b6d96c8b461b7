"""The envelope every published event travels in, and its schema (version 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from marshmallow import RAISE, Schema, fields, post_load, validate

from contracts.wire.chain import HASH_PATTERN

ENVELOPE_VERSION = 1


@dataclass(frozen=True)
class Envelope:
    """One event as downstream systems see it.

    `position` is the event's place in the ledger's global order (the event store's
    notification id): strictly increasing, but with possible holes. `previous_position` and
    `previous_hash` link it to the event before it in that order (see contracts.wire.chain).
    """

    event_id: UUID
    event_type: str
    schema_version: int
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    position: int
    recorded_at: datetime
    effective_on: date
    payload: dict[str, Any]
    previous_position: int
    previous_hash: str
    envelope_version: int = ENVELOPE_VERSION


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    envelope_version = fields.Integer(required=True, validate=validate.Equal(ENVELOPE_VERSION))
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Length(min=1))
    schema_version = fields.Integer(required=True, validate=validate.Range(min=1))
    aggregate_type = fields.String(required=True, validate=validate.Length(min=1))
    aggregate_id = fields.UUID(required=True)
    aggregate_version = fields.Integer(required=True, validate=validate.Range(min=1))
    position = fields.Integer(required=True, validate=validate.Range(min=1))
    recorded_at = fields.AwareDateTime(required=True)
    effective_on = fields.Date(required=True)
    payload = fields.Dict(keys=fields.String(), required=True)
    previous_position = fields.Integer(required=True, validate=validate.Range(min=0))
    previous_hash = fields.String(required=True, validate=validate.Regexp(HASH_PATTERN))

    @post_load
    def make_envelope(self, data: dict[str, Any], **_: Any) -> Envelope:
        return Envelope(**data)
