"""The decoder's fast path gives what the schemas give, and never accepts what they refuse."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import orjson
import pytest

from contracts.wire.catalog import CONTRACTS, contract_for_type
from contracts.wire.codec import UndecodableMessage, decode
from contracts.wire.envelope import Envelope, EnvelopeSchema
from contracts.wire.fast_load import FastLoad
from tests.builders.wire import seed_message_values


@pytest.fixture(scope="module")
def seed_messages() -> list[bytes]:
    return seed_message_values(days=120)


def schema_load(value: bytes) -> Envelope:
    """The reference: both schemas' own ``load``."""
    envelope: Envelope = EnvelopeSchema().load(json.loads(value))
    contract = contract_for_type(envelope.event_type, envelope.schema_version)
    return replace(envelope, payload=contract.payload.load(envelope.payload))


def test_every_schema_has_a_fast_path():
    assert FastLoad(EnvelopeSchema()).supported
    assert all(FastLoad(contract.payload).supported for contract in CONTRACTS)


def test_fast_path_equals_schema_load_for_every_event_type(seed_messages):
    envelope_loader = FastLoad(EnvelopeSchema())
    payload_loaders = {(c.event_type, c.schema_version): FastLoad(c.payload) for c in CONTRACTS}
    seen = set()
    for value in seed_messages:
        expected = schema_load(value)
        raw = orjson.loads(value)
        fast = envelope_loader.load(raw)
        assert fast is not None, "the envelope left the fast path"
        payload = payload_loaders[(fast.event_type, fast.schema_version)].load(raw["payload"])
        assert payload is not None, f"{fast.event_type} left the fast path"
        got = replace(fast, payload=payload)
        assert got == expected
        assert decode(value) == expected
        # Same types too, not only equal values (an enum member, not its string).
        for name, item in expected.payload.items():
            assert type(got.payload[name]) is type(item), name
        seen.add(expected.event_type)
    assert len(seen) >= 15, sorted(seen)


def _mutated(value: bytes, mutate: Any) -> bytes:
    raw = json.loads(value)
    mutate(raw)
    return json.dumps(raw).encode()


def _set(path: tuple[str, ...], new: Any) -> Any:
    def mutate(raw: dict[str, Any]) -> None:
        for key in path[:-1]:
            raw = raw[key]
        raw[path[-1]] = new

    return mutate


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (_set(("envelope_version",), 2), "envelope_version"),
        (_set(("aggregate_version",), 0), "aggregate_version"),
        (_set(("aggregate_version",), True), "aggregate_version"),
        (_set(("event_id",), "not-a-uuid"), "event_id"),
        (_set(("recorded_at",), "2010-11-02T10:00:00"), "recorded_at"),
        (_set(("effective_on",), "2010-13-02"), "effective_on"),
        (_set(("event_type",), ""), "event_type"),
        (_set(("payload",), []), "payload"),
        (_set(("payload", "kind"), "janitor"), "kind"),
        (_set(("payload", "individual"), ""), "individual"),
        (_set(("payload", "individual"), None), "individual"),
        (_set(("payload", "expires_on"), 20121201), "expires_on"),
        (lambda raw: raw["payload"].pop("expires_on"), "expires_on"),
        (lambda raw: raw["payload"].update(extra=1), "extra"),
        (lambda raw: raw.pop("recorded_at"), "recorded_at"),
    ],
)
def test_what_the_schemas_refuse_is_still_refused_with_the_reason(seed_messages, mutate, reason):
    value = next(v for v in seed_messages if b'"partner.certification-earned"' in v)
    with pytest.raises(UndecodableMessage, match=reason):
        decode(_mutated(value, mutate))


def test_a_decimal_that_is_not_finite_is_refused(seed_messages):
    value = next(v for v in seed_messages if b'"partner.qualified-revenue-credited"' in v)
    with pytest.raises(UndecodableMessage, match="amount"):
        decode(_mutated(value, _set(("payload", "amount"), "NaN")))


def test_what_the_fast_path_declines_but_the_schemas_accept_decodes_the_same(seed_messages):
    value = next(v for v in seed_messages if b'"partner.certification-earned"' in v)
    # marshmallow's Integer takes a numeric string; the fast path leaves it to the schema.
    lenient = _mutated(
        value, _set(("aggregate_version",), str(json.loads(value)["aggregate_version"]))
    )
    assert decode(lenient) == decode(value)
