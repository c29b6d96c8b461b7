"""Turning stored domain events into Kafka messages and back.

Encoding is deterministic: the same stored event always yields the same key, value and
headers, and the same event id. That is what lets a relay re-send after a crash and lets
anyone check what is on a topic against the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from marshmallow import ValidationError

from contracts.catalog import EventContract, contract_for_event, contract_for_type
from contracts.envelope import ENVELOPE_VERSION, Envelope, EnvelopeSchema

EVENT_ID_NAMESPACE = uuid5(NAMESPACE_URL, "urn:channel-ledger:event")
CONTENT_TYPE = b"application/json"

_envelope_schema = EnvelopeSchema()


@dataclass(frozen=True)
class WireMessage:
    aggregate_type: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class UndecodableMessage(ValueError):
    """A message is not a valid envelope of a known event; says why."""


def event_id(aggregate_id: UUID, aggregate_version: int) -> UUID:
    """Stable id of the event at this version of this aggregate."""
    return uuid5(EVENT_ID_NAMESPACE, f"{aggregate_id}/{aggregate_version}")


def encode(domain_event: Any, position: int) -> WireMessage:
    """Wrap one stored domain event (at its global position) in the published envelope.

    The relay calls this once per event, so the envelope is assembled directly rather than
    through ``EnvelopeSchema.dump`` (which costs several times more). The schema stays the
    contract: tests check every encoded message loads through it unchanged.
    """
    contract = contract_for_event(domain_event)
    aggregate_id: UUID = domain_event.originator_id
    version: int = domain_event.originator_version
    envelope = {
        "aggregate_id": str(aggregate_id),
        "aggregate_type": contract.aggregate_type,
        "aggregate_version": version,
        "effective_on": getattr(domain_event, contract.business_date_field).isoformat(),
        "envelope_version": ENVELOPE_VERSION,
        "event_id": str(event_id(aggregate_id, version)),
        "event_type": contract.event_type,
        "payload": contract.payload.dump(domain_event),
        "position": position,
        "recorded_at": domain_event.timestamp.isoformat(),
        "schema_version": contract.schema_version,
    }
    return WireMessage(
        aggregate_type=contract.aggregate_type,
        key=str(aggregate_id).encode(),
        value=json.dumps(envelope, separators=(",", ":")).encode(),
        headers=headers_for(contract),
    )


def headers_for(contract: EventContract) -> list[tuple[str, bytes]]:
    return [
        ("event-type", contract.event_type.encode()),
        ("schema-version", str(contract.schema_version).encode()),
        ("content-type", CONTENT_TYPE),
    ]


def decode(value: bytes) -> Envelope:
    """Parse and validate a message value: the envelope, then its payload against its contract."""
    try:
        raw = json.loads(value)
        envelope: Envelope = _envelope_schema.load(raw)
        contract = contract_for_type(envelope.event_type, envelope.schema_version)
        payload = contract.payload.load(envelope.payload)
    except (ValueError, ValidationError, LookupError) as error:
        raise UndecodableMessage(f"undecodable message: {error}") from error
    return _with_payload(envelope, payload)


def _with_payload(envelope: Envelope, payload: dict[str, Any]) -> Envelope:
    fields = dict(envelope.__dict__)
    fields["payload"] = payload
    return Envelope(**fields)
