"""What a subscriber that is not ours sees on the topic."""

from collections import defaultdict

import pytest

from infra.bootstrap import open_relay
from infra.store.event_store import open_ledger
from tests.builders.scenario import certify, enrol_partners, stored_positions
from tests.fixtures.topic_reader import read_all, topic_config

pytestmark = pytest.mark.kafka


@pytest.fixture
def published(settings):
    ledger = open_ledger(settings)
    codes = enrol_partners(ledger, 6)
    for day, code in enumerate(codes * 3):
        certify(ledger, code, f"person-{day}", day=day)
    relay = open_relay(settings, ledger)
    relay.drain()
    relay.close()
    topic = f"{settings.topic_prefix}.partner"
    return ledger, topic, read_all(settings.kafka_bootstrap_servers, topic)


def test_every_stored_event_is_on_the_topic_exactly_once(published):
    ledger, _, messages = published
    positions = [m.envelope["position"] for m in messages]
    assert sorted(positions) == stored_positions(ledger)
    assert len(set(positions)) == len(positions)
    assert len({m.envelope["event_id"] for m in messages}) == len(messages)


def test_each_partner_events_are_in_order_on_one_partition(published):
    _, _, messages = published
    by_partner = defaultdict(list)
    for message in sorted(messages, key=lambda m: (m.partition, m.offset)):
        by_partner[message.key].append(message)
    for key, partner_messages in by_partner.items():
        assert len({m.partition for m in partner_messages}) == 1
        versions = [m.envelope["aggregate_version"] for m in partner_messages]
        assert versions == list(range(1, len(versions) + 1))
        assert key.decode() == partner_messages[0].envelope["aggregate_id"]


def test_headers_name_event_type_and_schema_version(published):
    _, _, messages = published
    for message in messages:
        assert message.headers["event-type"].decode() == message.envelope["event_type"]
        assert int(message.headers["schema-version"]) == message.envelope["schema_version"]


def test_topic_keeps_events_forever(published, settings):
    _, topic, _ = published
    config = topic_config(settings.kafka_bootstrap_servers, topic)
    assert config["retention.ms"] == "-1"
    assert config["cleanup.policy"] == "delete"
