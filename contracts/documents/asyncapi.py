"""The AsyncAPI 3.0 document of the ledger's topics, derived from the catalog and the schemas.

It describes a subscriber's view: one channel per topic, the messages each carries (payload =
the event's JSON Schema, key = the aggregate id, the headers the relay writes, CloudEvents
attributes among them) and one receive operation per channel. Topic names use the default
prefix; deployments may set another one (LEDGER_TOPIC_PREFIX), which changes the addresses and
nothing else.
"""

from __future__ import annotations

from typing import Any

from contracts.documents.json_schema import DIALECT, JsonSchema, event_document, object_schema
from contracts.wire.catalog import (
    AGGREGATE_TYPES,
    CONTENT_TYPE,
    CONTRACTS,
    EventContract,
    chain_topic_name,
    topic_name,
)
from contracts.wire.chain import SEAL_HEADERS, SEAL_KEY, SealSchema
from contracts.wire.checkpoint import CHECKPOINT_HEADERS, CHECKPOINT_KEY
from contracts.wire.envelope import ENVELOPE_VERSION

ASYNCAPI_VERSION = "3.0.0"
DEFAULT_TOPIC_PREFIX = "ledger"  # infra.settings' default; configurable per deployment
SCHEMA_FORMAT = "application/schema+json;version=2020-12"
KAFKA_BINDING_VERSION = "0.5.0"
DEAD_LETTER = "dead-letter"
CHAIN = "chain"
# What consumers.dead_letters writes beside the original key and value (checked by a test;
# contracts cannot import consumers).
DEAD_LETTER_HEADERS = {
    "origin-topic": {"type": "string", "description": "the topic the message was read from"},
    "origin-partition": {"type": "string", "pattern": "^[0-9]+$"},
    "origin-offset": {"type": "string", "pattern": "^[0-9]+$"},
    "reason": {
        "type": "string",
        "description": "why it could not be decoded (UTF-8, cut at 1000 bytes)",
    },
}


# CloudEvents 1.0 attributes in the Kafka binding's binary mode, as infra.relay.cloudevents
# writes them (checked by a test; contracts cannot import infra). `datacontenttype` is the
# `content-type` header the contract's headers already hold.
CLOUDEVENTS_SPEC = (
    "https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md"
)
DEFAULT_CLOUDEVENTS_SOURCE = f"/channel-ledger/{DEFAULT_TOPIC_PREFIX}"


def _cloudevents_headers(contract: EventContract) -> dict[str, JsonSchema]:
    return {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid", "description": "the envelope's event_id"},
        "ce_type": {
            "type": "string",
            "const": contract.event_type,
            "description": "the envelope's event_type (the schema version is in ce_dataschema)",
        },
        "ce_source": {
            "type": "string",
            "format": "uri-reference",
            "minLength": 1,
            "description": (
                "the ledger that recorded the event: LEDGER_CLOUDEVENTS_SOURCE, by default "
                f"/channel-ledger/<topic prefix> ({DEFAULT_CLOUDEVENTS_SOURCE})"
            ),
        },
        "ce_time": {
            "type": "string",
            "format": "date-time",
            "description": "the envelope's recorded_at, RFC 3339 (UTC written Z)",
        },
        "ce_subject": {
            "type": "string",
            "format": "uuid",
            "description": f"the id of the {contract.aggregate_type} aggregate (the message key)",
        },
        "ce_dataschema": {
            "type": "string",
            "format": "uri",
            "const": event_document(contract)["$id"],
            "description": "the $id of the event's published JSON Schema",
        },
    }


def message_id(contract: EventContract) -> str:
    return f"{contract.event_type}.v{contract.schema_version}"


def asyncapi_document(prefix: str = DEFAULT_TOPIC_PREFIX) -> dict[str, Any]:
    """The whole document; deterministic for a given catalog and prefix."""
    channels = {kind: _event_channel(prefix, kind) for kind in AGGREGATE_TYPES}
    channels[DEAD_LETTER] = _single_message_channel(
        topic_name(prefix, DEAD_LETTER),
        DEAD_LETTER,
        "Messages the ledger's projector could not decode, republished unchanged with their "
        "origin and the reason.",
    )
    channels[CHAIN] = _single_message_channel(
        chain_topic_name(prefix),
        "chain-seal",
        "Seals of the hash chain that links every event to the one before it "
        "(see envelope fields previous_position and previous_hash), each followed by a signed "
        "checkpoint of the RFC 6962 Merkle log over the same events. One partition.",
    )
    channels[CHAIN]["messages"]["chain-checkpoint"] = _ref(
        "components", "messages", "chain-checkpoint"
    )
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(prefix),
        "defaultContentType": CONTENT_TYPE.decode(),
        "channels": channels,
        "operations": {f"receive-{name}": _receive(name, channels[name]) for name in channels},
        "components": {"messages": _messages(), "schemas": _schemas()},
    }


def _info(prefix: str) -> dict[str, Any]:
    return {
        "title": "Channel Ledger events",
        "version": f"{ENVELOPE_VERSION}.0.0",
        "description": (
            "Every fact of the partner program as an immutable event, one topic per aggregate "
            f"type (`{prefix}.<aggregate>`; the prefix is set per deployment with "
            "LEDGER_TOPIC_PREFIX). Messages are keyed by aggregate id, so one aggregate's events "
            "stay in order on one partition. Topics are kept forever. Each message value is a "
            f"JSON envelope (version {ENVELOPE_VERSION}); payload schemas are JSON Schema "
            f"({DIALECT}). A published event type and schema version never changes "
            "incompatibly: a breaking change gets a new schema version, and older versions "
            "stay documented for the messages already on the topics."
        ),
    }


def _event_channel(prefix: str, aggregate_type: str) -> dict[str, Any]:
    contracts = sorted((c for c in CONTRACTS if c.aggregate_type == aggregate_type), key=message_id)
    return {
        "address": topic_name(prefix, aggregate_type),
        "title": f"{aggregate_type} events",
        "description": f"Every event of every {aggregate_type} aggregate, keyed by its id.",
        "messages": {
            message_id(c): _ref("components", "messages", message_id(c)) for c in contracts
        },
        "bindings": {
            "kafka": {
                "topic": topic_name(prefix, aggregate_type),
                "topicConfiguration": {"retention.ms": -1, "cleanup.policy": ["delete"]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _single_message_channel(address: str, message: str, description: str) -> dict[str, Any]:
    return {
        "address": address,
        "description": description,
        "messages": {message: _ref("components", "messages", message)},
        "bindings": {"kafka": {"topic": address, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _receive(name: str, channel: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": "receive",
        "channel": _ref("channels", name),
        "summary": f"Subscribe to {channel['address']}.",
        "messages": [_ref("channels", name, "messages", m) for m in channel["messages"]],
    }


def _messages() -> dict[str, Any]:
    messages = {message_id(c): _event_message(c) for c in CONTRACTS}
    messages[DEAD_LETTER] = {
        "name": DEAD_LETTER,
        "title": "An undecodable message, set aside",
        "contentType": "application/octet-stream",
        "headers": _headers_schema(DEAD_LETTER_HEADERS),
        "payload": {"description": "The original message value, byte for byte (maybe not JSON)."},
        "bindings": _key_binding({"type": ["string", "null"], "description": "The original key."}),
    }
    messages["chain-seal"] = {
        "name": "chain-seal",
        "title": "A seal on the hash chain's head",
        "contentType": dict(SEAL_HEADERS)["content-type"].decode(),
        "headers": _headers_schema(_constant_headers(SEAL_HEADERS)),
        "payload": _ref("components", "schemas", "chain-seal"),
        "bindings": _key_binding({"type": "string", "const": SEAL_KEY.decode()}),
    }
    messages["chain-checkpoint"] = {
        "name": "chain-checkpoint",
        "title": "A signed checkpoint of the Merkle log",
        "contentType": dict(CHECKPOINT_HEADERS)["content-type"].decode(),
        "headers": _headers_schema(_constant_headers(CHECKPOINT_HEADERS)),
        "payload": {
            "type": "string",
            "description": "A C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint: origin line, "
            "decimal tree size, base64 RFC 6962 root hash over the event message values in "
            "position order) as a C2SP signed note (c2sp.org/signed-note) with the log's "
            "Ed25519 signature; witnesses' copies add tlog-cosignature/v1 lines.",
        },
        "bindings": _key_binding({"type": "string", "const": CHECKPOINT_KEY.decode()}),
    }
    return dict(sorted(messages.items()))


def _event_message(contract: EventContract) -> dict[str, Any]:
    return {
        "name": contract.event_type,
        "title": f"{contract.event_type}, schema version {contract.schema_version}",
        "contentType": CONTENT_TYPE.decode(),
        "headers": _headers_schema(
            {**_constant_headers(contract.headers), **_cloudevents_headers(contract)},
            f"The contract's headers and the CloudEvents attributes ({CLOUDEVENTS_SPEC}, binary "
            "content mode): UTF-8 strings outside the hash chain, which covers the value only.",
        ),
        "payload": _ref("components", "schemas", message_id(contract)),
        "bindings": _key_binding(
            {
                "type": "string",
                "format": "uuid",
                "description": f"The id of the {contract.aggregate_type} aggregate.",
            }
        ),
    }


def _constant_headers(headers: list[tuple[str, bytes]]) -> dict[str, JsonSchema]:
    return {name: {"type": "string", "const": value.decode()} for name, value in headers}


def _headers_schema(properties: dict[str, JsonSchema], description: str = "") -> JsonSchema:
    described = {"description": description} if description else {}
    return {
        "type": "object",
        **described,
        "properties": properties,
        "required": sorted(properties),
    }


def _key_binding(key: JsonSchema) -> dict[str, Any]:
    return {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING_VERSION}}


def _schemas() -> dict[str, Any]:
    schemas = {
        message_id(c): {"schemaFormat": SCHEMA_FORMAT, "schema": event_document(c)}
        for c in CONTRACTS
    }
    seal = {"$schema": DIALECT, **object_schema(SealSchema(), "SealSchema")}
    schemas["chain-seal"] = {"schemaFormat": SCHEMA_FORMAT, "schema": seal}
    return dict(sorted(schemas.items()))


def _ref(*path: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(path)}
