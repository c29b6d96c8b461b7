"""Encodes stored events for Kafka straight from their recorded JSON.

The relay's hot path. Rebuilding each domain event object (the mapper's ``to_domain_event``) and
then reading it back out cost about as much as sending the message; the recorded JSON already holds
every value in its wire form (ISO dates, enum values, decimals as strings), wrapped by
eventsourcing's JSON transcoder as ``{"_type_": ..., "_data_": ...}``. This encoder unwraps those
values instead. It produces byte-for-byte what ``contracts.wire.codec.encode`` produces from the
domain event (a test holds it to that), and refuses stores whose events are encrypted or compressed,
or values of a transcoding it does not know. Given `CloudEventHeaders`, as the relay's batches
are, it adds each event's CloudEvents attributes to the headers; the value does not change.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import get_topic

from contracts.wire.catalog import CONTRACTS, EventContract, UnknownEventType
from contracts.wire.chain import GENESIS, ChainHead
from contracts.wire.codec import WireMessage, encode_envelope, event_id_text
from domain.transcodings import ENUM_TRANSCODINGS, DateAsISO
from infra.relay.cloudevents import CloudEventHeaders

# Transcodings whose stored "_data_" is already the wire form: ISO dates and datetimes,
# decimals as strings, enums by value.
_WIRE_FORM_AS_STORED = {"date_iso", "datetime_iso", "decimal_str", DateAsISO.name} | {
    name for _, name in ENUM_TRANSCODINGS
}


_CONTAINERS = (dict, list)


class StoredEventEncoder:
    def __init__(self, mapper: Mapper[UUID], cloudevents: CloudEventHeaders | None = None) -> None:
        self._cloudevents = cloudevents
        if mapper.cipher is not None or mapper.compressor is not None:
            raise ValueError(
                "stored events are encrypted or compressed: decode them with the mapper"
            )
        # Keyed by the version the event was recorded in: an event recorded before its class
        # evolved is published in its recorded version, never rewritten.
        self._contracts = {(get_topic(c.domain_class), c.schema_version): c for c in CONTRACTS}

    def encode(self, notification: Notification, link: ChainHead = GENESIS) -> WireMessage:
        state = orjson.loads(notification.state)
        contract = self._contract(notification.topic, state.get("class_version", 1))
        aggregate_id = _as_uuid(notification.originator_id)
        recorded_at = _wire_form(state["timestamp"])
        message = encode_envelope(
            contract,
            aggregate_id=aggregate_id,
            version=notification.originator_version,
            position=notification.id,
            effective_on=_wire_form(state[contract.business_date_field]),
            recorded_at=recorded_at,
            payload={
                # Most values are plain JSON already: only walk the wrapped and nested ones.
                name: _wire_form(value) if type(value) in _CONTAINERS else value
                for name in contract.payload_attributes
                for value in (state[name],)
            },
            link=link,
        )
        if self._cloudevents is None:
            return message
        aggregate_text = str(aggregate_id)
        headers = self._cloudevents.headers(
            contract,
            event_id_text(aggregate_text, notification.originator_version),
            recorded_at,
            aggregate_text,
        )
        return WireMessage(message.aggregate_type, message.key, message.value, headers)

    def _contract(self, topic: str, version: int) -> EventContract:
        try:
            return self._contracts[(topic, version)]
        except KeyError:
            raise UnknownEventType(
                f"no published contract for stored topic {topic!r} version {version}"
            ) from None


def _wire_form(value: Any) -> Any:
    if isinstance(value, dict):
        if "_type_" in value:
            kind = value["_type_"]
            if kind == "uuid_hex":
                return str(UUID(value["_data_"]))
            if kind in _WIRE_FORM_AS_STORED:
                return _wire_form(value["_data_"])
            raise UnknownEventType(f"no wire form for stored values of type {kind!r}")
        return {key: _wire_form(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire_form(item) for item in value]
    return value


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
