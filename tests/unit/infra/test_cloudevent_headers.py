"""The CloudEvents attributes on every message the relay publishes (binary content mode)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from contracts.documents.asyncapi import asyncapi_document, message_id
from contracts.wire.catalog import AGGREGATE_TYPES, contract_for_type
from contracts.wire.chain import GENESIS
from contracts.wire.codec import decode
from domain.ledger import Ledger
from infra.relay.batches import BatchEncoder
from infra.relay.cloudevents import ATTRIBUTE_HEADERS, cloudevents_source, rfc3339
from infra.relay.encoder import StoredEventEncoder
from infra.settings import Settings, SettingsError
from tests.builders.scenario import certify, enrol_partners

PUBLISHED = Path(__file__).parents[3] / "contracts" / "published" / "events"
SOURCE = "/channel-ledger/test"
# RFC 3339 section 5.6, `date-time`, written out independently of the code under test.
RFC3339_DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)


@pytest.fixture(scope="module")
def ledger():
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    codes = enrol_partners(ledger, 3)
    certify(ledger, codes[0], "Ann")
    yield ledger
    ledger.close()


@pytest.fixture(scope="module")
def records(ledger):
    encoder = BatchEncoder(
        ledger.recorder, ledger.mapper, dict.fromkeys(AGGREGATE_TYPES, 3), 100, SOURCE
    )
    batch = encoder.next_batch(GENESIS)
    assert len(batch) == ledger.recorder.max_notification_id()
    return batch.records


def test_every_attribute_is_present_once_as_a_utf8_string(records):
    for *_, headers in records:
        names = [name for name, _ in headers]
        assert len(names) == len(set(names))
        assert set(ATTRIBUTE_HEADERS) <= set(names)
        assert all(isinstance(value, bytes) and value.decode("utf-8") for _, value in headers)


def test_attributes_are_the_envelopes_own(records):
    for _, _, _, key, value, raw in records:
        headers = {name: value.decode() for name, value in raw}
        envelope = decode(value)
        assert headers["ce_specversion"] == "1.0"
        assert headers["ce_id"] == str(envelope.event_id)
        assert headers["ce_type"] == envelope.event_type == headers["event-type"]
        assert headers["ce_source"] == SOURCE
        assert headers["ce_subject"] == str(envelope.aggregate_id) == key.decode()
        assert headers["content-type"] == "application/json"  # CloudEvents' datacontenttype
        assert datetime.fromisoformat(headers["ce_time"]) == envelope.recorded_at


def test_time_is_rfc3339(records):
    for *_, raw in records:
        time = dict(raw)["ce_time"].decode()
        assert RFC3339_DATE_TIME.match(time), time
        assert time.endswith("Z")  # eventsourcing records UTC


def test_dataschema_is_the_published_schemas_id(records):
    for *_, raw in records:
        headers = {name: value.decode() for name, value in raw}
        published = PUBLISHED / f"{headers['ce_type']}.v{headers['schema-version']}.schema.json"
        assert headers["ce_dataschema"] == json.loads(published.read_text())["$id"]


def test_headers_are_what_the_asyncapi_document_describes(records):
    messages = asyncapi_document()["components"]["messages"]
    for _, _, _, _, value, raw in records:
        envelope = decode(value)
        contract = contract_for_type(envelope.event_type, envelope.schema_version)
        schema = messages[message_id(contract)]["headers"]
        headers = {name: value.decode() for name, value in raw}
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(headers)
        assert sorted(schema["properties"]) == sorted(headers)


def test_the_value_is_unchanged_by_the_headers(ledger, records):
    # The chain covers values: adding headers must not change a byte of them.
    plain = StoredEventEncoder(ledger.mapper)
    head = GENESIS
    notifications = ledger.recorder.select_notifications(start=1, limit=100)
    for notification, (_, _, _, key, value, _) in zip(notifications, records, strict=True):
        message = plain.encode(notification, head)
        assert (message.key, message.value) == (key, value)
        head = head.after(notification.id, message.value)


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ("2011-03-01T09:30:00.123456+00:00", "2011-03-01T09:30:00.123456Z"),
        ("2011-03-01T09:30:00+00:00", "2011-03-01T09:30:00Z"),
        ("2011-03-01T09:30:00-05:00", "2011-03-01T09:30:00-05:00"),
    ],
)
def test_recorded_timestamps_become_rfc3339(recorded, expected):
    assert rfc3339(recorded) == expected


@pytest.mark.parametrize("naive", ["2011-03-01T09:30:00", "2011-03-01", "2011-03-01 09:30:00Z"])
def test_a_time_without_offset_is_refused(naive):
    with pytest.raises(ValueError, match="RFC 3339"):
        rfc3339(naive)


def test_source_defaults_to_the_ledger_and_its_prefix():
    assert cloudevents_source(Settings.from_env({})) == "/channel-ledger/ledger"
    prefixed = Settings.from_env({"LEDGER_TOPIC_PREFIX": "acme"})
    assert cloudevents_source(prefixed) == "/channel-ledger/acme"
    configured = Settings.from_env({"LEDGER_CLOUDEVENTS_SOURCE": "urn:acme:ledger"})
    assert cloudevents_source(configured) == "urn:acme:ledger"


def test_a_source_a_header_cannot_carry_is_refused():
    with pytest.raises(SettingsError, match="LEDGER_CLOUDEVENTS_SOURCE"):
        Settings.from_env({"LEDGER_CLOUDEVENTS_SOURCE": "my ledger"})
