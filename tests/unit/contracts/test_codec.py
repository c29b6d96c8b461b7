"""The wire contract: encoding is deterministic, valid against the schema, and round-trips."""

import json
from datetime import date
from uuid import uuid4, uuid5

import pytest
from marshmallow import Schema, fields

from contracts.wire.catalog import contract_for_event, wire_native_attributes
from contracts.wire.codec import UndecodableMessage, decode, encode, event_id_text
from contracts.wire.envelope import EnvelopeSchema
from domain.identity import EVENT_ID_NAMESPACE, event_id
from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier


@pytest.fixture
def events():
    partner = Partner.enroll("antemeta", "Antemeta", Tier.GOLD, date(2010, 11, 2))
    partner.earn_certification(
        "Ann",
        CertificationKind.SALES,
        Specialization.DATA_PROTECTION,
        date(2010, 12, 1),
        date(2012, 12, 1),
    )
    return partner.collect_events()


def test_every_encoded_message_is_a_valid_envelope(events):
    for position, domain_event in enumerate(events, start=1):
        raw = json.loads(encode(domain_event, position).value)
        assert EnvelopeSchema().validate(raw) == {}


def test_envelope_carries_identity_order_and_business_time(events):
    envelope = decode(encode(events[1], 7).value)
    assert envelope.event_type == "partner.certification-earned"
    assert envelope.schema_version == 1
    assert envelope.aggregate_id == events[1].originator_id
    assert envelope.aggregate_version == 2
    assert envelope.position == 7
    assert envelope.effective_on == date(2010, 12, 1)
    assert envelope.payload["kind"] is CertificationKind.SALES


def test_key_is_the_aggregate_id_and_headers_name_type_and_version(events):
    message = encode(events[0], 1)
    assert message.key == str(events[0].originator_id).encode()
    assert dict(message.headers) == {
        "event-type": b"partner.enrolled",
        "schema-version": b"1",
        "content-type": b"application/json",
    }


def test_encoding_is_deterministic(events):
    assert encode(events[0], 1) == encode(events[0], 1)
    assert json.loads(encode(events[0], 1).value)["event_id"] == str(
        event_id(events[0].originator_id, 1)
    )


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda m: m.update(event_type="partner.vanished"), "unknown event type"),
        (lambda m: m.update(schema_version=99), "unknown event type"),
        (lambda m: m["payload"].update(legacy_tier="bronze"), "legacy_tier"),
        (lambda m: m.pop("position"), "position"),
        (lambda m: m.update(extra="field"), "extra"),
    ],
)
def test_invalid_messages_are_rejected_with_the_reason(events, mutate, reason):
    raw = json.loads(encode(events[0], 1).value)
    mutate(raw)
    with pytest.raises(UndecodableMessage, match=reason):
        decode(json.dumps(raw).encode())


def test_non_json_is_rejected():
    with pytest.raises(UndecodableMessage):
        decode(b"\x00not json")


def test_fast_payload_encoding_equals_the_schema_dump(events):
    for position, domain_event in enumerate(events, start=1):
        contract = contract_for_event(domain_event)
        published = json.loads(encode(domain_event, position).value)["payload"]
        assert published == contract.payload.dump(domain_event)


def test_a_payload_field_the_fast_encoder_cannot_match_is_refused_at_definition():
    class WithRenamedField(Schema):
        code = fields.String(data_key="partnerCode")

    with pytest.raises(TypeError, match=r"WithRenamedField\.code"):
        wire_native_attributes(WithRenamedField())


def test_wire_event_id_is_the_domain_event_id():
    aggregate_id = uuid4()
    for version in (1, 2, 1000):
        assert event_id_text(str(aggregate_id), version) == str(event_id(aggregate_id, version))
        assert event_id(aggregate_id, version) == uuid5(
            EVENT_ID_NAMESPACE, f"{aggregate_id}/{version}"
        )
