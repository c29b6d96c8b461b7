"""The relay's records, read from the real broker by the official CloudEvents SDK.

The SDK (`cloudevents`, binary content mode of its Kafka binding) is the independent check:
it parses and validates the attributes itself, and must find in them the envelope's identity.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat

from contracts.wire.codec import decode
from infra.bootstrap import open_relay
from infra.relay.cloudevents import cloudevents_source
from infra.store.event_store import open_ledger
from tests.builders.scenario import certify, enrol_partners
from tests.fixtures.topic_reader import read_all

pytestmark = pytest.mark.kafka


@pytest.mark.parametrize(
    ("encoder", "source"),
    [("process", None), ("inline", "https://ledger.example.com/partner-program")],
    ids=["encoder-process-default-source", "inline-configured-source"],
)
def test_the_sdk_reads_every_record_as_the_event_it_carries(settings, encoder, source):
    settings = replace(settings, relay_encoder=encoder, cloudevents_source=source)
    ledger = open_ledger(settings)
    codes = enrol_partners(ledger, 3)
    certify(ledger, codes[1], "Ann")
    relay = open_relay(settings, ledger)
    try:
        relay.drain()
    finally:
        relay.close()
    ledger.close()
    messages = read_all(settings.kafka_bootstrap_servers, f"{settings.topic_prefix}.partner")
    assert len(messages) == 4
    expected_source = source or f"/channel-ledger/{settings.topic_prefix}"
    assert cloudevents_source(settings) == expected_source
    for message in messages:
        envelope = decode(message.value)
        event = from_binary(KafkaMessage(message.headers, message.key, message.value), JSONFormat())
        assert event.get_specversion() == "1.0"
        assert event.get_id() == str(envelope.event_id)
        assert event.get_type() == envelope.event_type
        assert event.get_source() == expected_source
        assert event.get_subject() == str(envelope.aggregate_id)
        assert event.get_time() == envelope.recorded_at
        assert event.get_datacontenttype() == "application/json"
        assert event.get_dataschema() == (
            f"urn:channel-ledger:event:{envelope.event_type}:v{envelope.schema_version}"
        )
        assert event.get_data() == message.envelope
        # Written back by the SDK, the attributes are the same bytes the relay wrote.
        again = to_binary(event, JSONFormat())
        ours = {name: value for name, value in message.headers.items() if name.startswith("ce_")}
        assert {n: v for n, v in again.headers.items() if n in ours} == ours
        assert again.headers["content-type"] == message.headers["content-type"]
