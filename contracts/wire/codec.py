"""Turning stored domain events into Kafka messages and back.

Encoding is deterministic: the same stored event always yields the same key, value and
headers, and the same event id. That is what lets a relay re-send after a crash and lets
anyone check what is on a topic against the store.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from marshmallow import ValidationError

from contracts.wire.catalog import (
    CONTRACTS,
    EventContract,
    contract_for_event,
    contract_for_type,
    is_current,
)
from contracts.wire.chain import GENESIS, ChainHead
from contracts.wire.envelope import ENVELOPE_VERSION, Envelope, EnvelopeSchema
from contracts.wire.fast_load import FastLoad
from contracts.wire.upcasting import upcast
from domain.identity import EVENT_ID_NAMESPACE

_envelope_schema = EnvelopeSchema()


@dataclass(frozen=True)
class WireMessage:
    aggregate_type: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class UndecodableMessage(ValueError):
    """A message is not a valid envelope of a known event; says why."""


def event_id_text(aggregate_id: str, aggregate_version: int) -> str:
    """``str(uuid5(EVENT_ID_NAMESPACE, "<aggregate id>/<version>"))`` without building UUID objects.

    The relay computes one per event; constructing two UUID objects cost more than the hash.
    """
    name = f"{aggregate_id}/{aggregate_version}".encode()
    digest = bytearray(
        hashlib.sha1(EVENT_ID_NAMESPACE.bytes + name, usedforsecurity=False).digest()
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def encode(domain_event: Any, position: int, link: ChainHead = GENESIS) -> WireMessage:
    """Wrap one domain event (at its global position, after `link`) in the published envelope.

    Payload attributes are read directly rather than through ``Schema.dump``:
    ``EventContract.payload_attributes`` admits only fields whose wire form is what orjson
    writes natively. The schemas stay the contract: tests check that every encoded message
    loads through them and that the payload equals ``Schema.dump``.
    """
    contract = contract_for_event(domain_event)
    return encode_envelope(
        contract,
        aggregate_id=domain_event.originator_id,
        version=domain_event.originator_version,
        position=position,
        effective_on=getattr(domain_event, contract.business_date_field),
        recorded_at=domain_event.timestamp,
        payload={name: getattr(domain_event, name) for name in contract.payload_attributes},
        link=link,
    )


def encode_envelope(
    contract: EventContract,
    *,
    aggregate_id: UUID,
    version: int,
    position: int,
    effective_on: Any,
    recorded_at: Any,
    payload: dict[str, Any],
    link: ChainHead,
) -> WireMessage:
    """The message for one event, from values already in (or natively encodable to) wire form."""
    aggregate_text = str(aggregate_id)
    envelope = {
        "aggregate_id": aggregate_text,
        "aggregate_type": contract.aggregate_type,
        "aggregate_version": version,
        "effective_on": effective_on,
        "envelope_version": ENVELOPE_VERSION,
        "event_id": event_id_text(aggregate_text, version),
        "event_type": contract.event_type,
        "payload": payload,
        "position": position,
        "previous_hash": link.hash,
        "previous_position": link.position,
        "recorded_at": recorded_at,
        "schema_version": contract.schema_version,
    }
    return WireMessage(
        aggregate_type=contract.aggregate_type,
        key=aggregate_text.encode(),
        value=orjson.dumps(envelope, default=_decimal_as_string),
        headers=contract.headers,
    )


def _decimal_as_string(value: Any) -> str:
    # Amounts travel as strings so no subscriber loses precision to a float.
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} on the wire")


def decode(value: bytes) -> Envelope:
    """Parse and validate a message value: the envelope, then its payload against its contract.

    Well-formed messages take a fast path derived from the schemas (see `FastLoad`); anything
    the fast path is unsure of goes through ``Schema.load``, which gives the same result or
    the reason it is rejected.
    """
    try:
        raw = orjson.loads(value)
    except orjson.JSONDecodeError:
        raw = _json_loads(value)  # what orjson refuses (NaN, huge ints, UTF-16...) json may not
    fast = _decode_fast(raw)
    if fast is not None:
        return fast
    try:
        envelope: Envelope = _envelope_schema.load(raw)
        contract = contract_for_type(envelope.event_type, envelope.schema_version)
        payload = contract.payload.load(envelope.payload)
    except (ValueError, ValidationError, LookupError) as error:
        raise UndecodableMessage(f"undecodable message: {error}") from error
    return _current(envelope, payload)


def _json_loads(value: bytes) -> Any:
    try:
        return json.loads(value)
    except ValueError as error:
        raise UndecodableMessage(f"undecodable message: {error}") from error


def _current(envelope: Envelope, payload: dict[str, Any]) -> Envelope:
    """The envelope with its validated payload, upcast to the current version if older."""
    fields = dict(envelope.__dict__)
    if (envelope.event_type, envelope.schema_version) in _OLDER_VERSIONS:
        fields["schema_version"], payload = upcast(
            envelope.event_type, envelope.schema_version, payload
        )
    fields["payload"] = payload
    return Envelope(**fields)


_OLDER_VERSIONS = frozenset(
    (contract.event_type, contract.schema_version)
    for contract in CONTRACTS
    if not is_current(contract)
)
_fast_envelope = FastLoad(_envelope_schema)
if not _fast_envelope.supported:  # pragma: no cover - a schema change must keep decoding fast
    raise TypeError("EnvelopeSchema: no fast path; see contracts.wire.fast_load.FastLoad")
_fast_payloads = {
    (contract.event_type, contract.schema_version): FastLoad(contract.payload)
    for contract in CONTRACTS
}


def _decode_fast(raw: Any) -> Envelope | None:
    # The envelope's fields, not its post_load Envelope: the envelope is built once, below.
    fields = _fast_envelope.load_fields(raw)
    if fields is None:
        return None
    version = (fields["event_type"], fields["schema_version"])
    loader = _fast_payloads.get(version)
    payload = None if loader is None else loader.load(fields["payload"])
    if payload is None:
        return None
    if version in _OLDER_VERSIONS:
        fields["schema_version"], payload = upcast(*version, payload)
    fields["payload"] = payload
    return Envelope(**fields)
