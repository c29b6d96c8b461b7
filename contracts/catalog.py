"""The catalog of published events: which domain event goes out under which name and version."""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema, fields

from contracts.payloads import CertificationEarnedV1, PartnerEnrolledV1
from domain.partner import Partner


@dataclass(frozen=True)
class EventContract:
    """How one domain event class is published.

    `business_date_field` names the payload attribute that carries business time, so the
    envelope can expose it uniformly to subscribers.
    """

    domain_class: type
    aggregate_type: str
    event_type: str
    schema_version: int
    payload: Schema
    business_date_field: str
    payload_attributes: tuple[str, ...] = field(init=False)
    headers: list[tuple[str, bytes]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "payload_attributes", wire_native_attributes(self.payload))
        object.__setattr__(
            self,
            "headers",
            [
                ("event-type", self.event_type.encode()),
                ("schema-version", str(self.schema_version).encode()),
                ("content-type", CONTENT_TYPE),
            ],
        )


CONTENT_TYPE = b"application/json"

# Field kinds whose dumped form is exactly what orjson writes for the attribute (str, int,
# bool, ISO date and datetime, UUID string, enum value) or what the codec writes (Decimal as
# string), so the relay can publish attributes without Schema.dump.
_WIRE_NATIVE = (
    fields.String,
    fields.Integer,
    fields.Boolean,
    fields.Date,
    fields.AwareDateTime,
    fields.UUID,
    fields.Decimal,
)


def wire_native_attributes(schema: Schema) -> tuple[str, ...]:
    """Payload attribute names, refusing fields whose wire form the fast encoder can't match."""
    names = []
    for name, schema_field in schema.fields.items():
        plain = schema_field.data_key in (None, name) and schema_field.attribute in (None, name)
        native = isinstance(schema_field, _WIRE_NATIVE) or (
            isinstance(schema_field, fields.Enum) and schema_field.by_value
        )
        decimal_ok = not isinstance(schema_field, fields.Decimal) or schema_field.as_string
        if not (plain and native and decimal_ok):
            raise TypeError(f"{type(schema).__name__}.{name}: not encodable without Schema.dump")
        names.append(name)
    return tuple(names)


class UnknownEventType(LookupError):
    """A message names an event type or schema version this build does not know."""


CONTRACTS: tuple[EventContract, ...] = (
    EventContract(
        Partner.Enrolled, "partner", "partner.enrolled", 1, PartnerEnrolledV1(), "enrolled_on"
    ),
    EventContract(
        Partner.CertificationEarned,
        "partner",
        "partner.certification-earned",
        1,
        CertificationEarnedV1(),
        "effective_on",
    ),
)

_BY_CLASS = {contract.domain_class: contract for contract in CONTRACTS}
_BY_TYPE = {(contract.event_type, contract.schema_version): contract for contract in CONTRACTS}

AGGREGATE_TYPES: tuple[str, ...] = tuple(sorted({c.aggregate_type for c in CONTRACTS}))


def contract_for_event(domain_event: object) -> EventContract:
    try:
        return _BY_CLASS[type(domain_event)]
    except KeyError:
        raise UnknownEventType(
            f"no published contract for {type(domain_event).__qualname__}"
        ) from None


def contract_for_type(event_type: str, schema_version: int) -> EventContract:
    try:
        return _BY_TYPE[(event_type, schema_version)]
    except KeyError:
        raise UnknownEventType(
            f"unknown event type {event_type!r} version {schema_version}"
        ) from None


def topic_name(prefix: str, aggregate_type: str) -> str:
    """One topic per aggregate category, e.g. ``ledger.partner``."""
    return f"{prefix}.{aggregate_type}"
