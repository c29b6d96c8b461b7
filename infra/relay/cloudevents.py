"""CloudEvents 1.0 attributes on every ledger message, in the Kafka binding's binary mode.

Routers, gateways and event catalogs that speak CloudEvents read an event's identity from its
headers without parsing the value (Kafka protocol binding 1.0.2, binary content mode): each
attribute is a header named ``ce_<attribute>`` whose value is the attribute's string form in
UTF-8, and `datacontenttype` is the ``content-type`` header, which every ledger message already
carries (``application/json``). The message value stays the envelope, byte for byte: headers are
outside the hash chain, which covers values only.

- ``ce_specversion``: ``1.0``.
- ``ce_id``: the envelope's `event_id` (unique per event, the same on every re-send).
- ``ce_type``: the envelope's `event_type` as it is (``partner.enrolled``), not a reverse-DNS name:
  it is the name the contracts, the `event-type` header and the subscribers already use, and the
  schema version stays out of it (a router filtering on the type sees every version).
- ``ce_source``: a URI reference naming the ledger that recorded it, ``/channel-ledger/<prefix>``
  unless ``LEDGER_CLOUDEVENTS_SOURCE`` says otherwise (a store has one prefix, so source + id is
  unique as the spec requires).
- ``ce_time``: the envelope's `recorded_at` in RFC 3339, UTC written ``Z`` as the SDKs write it.
- ``ce_subject``: the aggregate id (also the message key).
- ``ce_dataschema``: the ``$id`` of the published JSON Schema of the event type and version
  (contracts/published/events/).
"""

from __future__ import annotations

import re

from contracts.documents.json_schema import event_document
from contracts.wire.catalog import CONTRACTS, EventContract
from infra.settings import Settings

SPECVERSION = "1.0"
# The attribute headers this module writes, in the order it writes them after the contract's
# own headers (`content-type` among them).
ATTRIBUTE_HEADERS = (
    "ce_specversion",
    "ce_type",
    "ce_source",
    "ce_dataschema",
    "ce_id",
    "ce_time",
    "ce_subject",
)


def default_source(topic_prefix: str) -> str:
    return f"/channel-ledger/{topic_prefix}"


def cloudevents_source(settings: Settings) -> str:
    """The deployment's `source`: derived from the prefix when not set, so it follows a prefix
    changed for tests or a new set of topics."""
    return settings.cloudevents_source or default_source(settings.topic_prefix)


class CloudEventHeaders:
    """Builds each message's headers: the contract's, then the CloudEvents attributes."""

    def __init__(self, source: str) -> None:
        encoded = source.encode()
        # What is the same for every event of a contract is built once: per event only the id,
        # the time and the subject are new.
        self._constant = {
            (contract.event_type, contract.schema_version): [
                *contract.headers,
                ("ce_specversion", SPECVERSION.encode()),
                ("ce_type", contract.event_type.encode()),
                ("ce_source", encoded),
                ("ce_dataschema", str(event_document(contract)["$id"]).encode()),
            ]
            for contract in CONTRACTS
        }

    def headers(
        self, contract: EventContract, event_id: str, recorded_at: str, aggregate_id: str
    ) -> list[tuple[str, bytes]]:
        return [
            *self._constant[(contract.event_type, contract.schema_version)],
            ("ce_id", event_id.encode()),
            ("ce_time", rfc3339(recorded_at).encode()),
            ("ce_subject", aggregate_id.encode()),
        ]


def rfc3339(recorded_at: str) -> str:
    """An ISO 8601 timestamp as recorded (``2011-03-01T09:30:00.123456+00:00``) in RFC 3339.

    Python's isoformat already is RFC 3339 when the time is aware, which eventsourcing's
    timestamps are; a naive one would be ambiguous, so it is refused rather than published.
    """
    if not _RFC3339.match(recorded_at):
        raise ValueError(f"recorded_at {recorded_at!r} is not an RFC 3339 date-time")
    return recorded_at[:-6] + "Z" if recorded_at.endswith("+00:00") else recorded_at


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
