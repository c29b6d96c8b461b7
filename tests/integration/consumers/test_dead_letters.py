"""A message the projector cannot decode is set aside, not lost and not fatal."""

import json

import pytest
from kafka import KafkaProducer

from cli.main import main
from infra.bootstrap import open_projector, open_relay
from infra.kafka.clients import producer_settings
from infra.kafka.topics import dead_letter_topic
from infra.store.event_store import open_ledger
from projections.partner_statuses import partner_statuses
from tests.builders.scenario import START, enrol_partners
from tests.fixtures.topic_reader import read_all

pytestmark = pytest.mark.kafka


def produce(settings, values: list[bytes]) -> None:
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **producer_settings()
    )
    for value in values:
        producer.send(f"{settings.topic_prefix}.partner", key=b"poison", value=value, partition=0)
    producer.flush()
    producer.close()


def newer_version_of_a_real_event(settings) -> bytes:
    (first, *_) = read_all(settings.kafka_bootstrap_servers, f"{settings.topic_prefix}.partner")
    return json.dumps({**first.envelope, "schema_version": 99}).encode()


@pytest.fixture
def poisoned(env, settings, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ledger = open_ledger(settings)
    enrol_partners(ledger, 3)
    relay = open_relay(settings, ledger)
    relay.drain()
    relay.close()
    produce(settings, [b"\x00 not json", newer_version_of_a_real_event(settings)])
    enrol_partners(ledger, 1, first=3)  # a valid event after the poison
    relay = open_relay(settings, ledger)
    relay.drain()
    relay.close()
    projector = open_projector(settings)
    projector.drain()
    return projector


def test_the_projector_carries_on_past_undecodable_messages(poisoned):
    with poisoned.engine.connect() as connection:
        assert len(partner_statuses(connection, START)) == 4
    poisoned.close()


def test_dead_letters_are_republished_with_their_origin_and_reason(poisoned, settings):
    poisoned.close()
    letters = read_all(settings.kafka_bootstrap_servers, dead_letter_topic(settings))
    assert len(letters) == 2
    reasons = [letter.headers["reason"].decode() for letter in letters]
    assert any("unknown event type 'partner.enrolled' version 99" in r for r in reasons)
    for letter in letters:
        assert letter.headers["origin-topic"].decode() == f"{settings.topic_prefix}.partner"
        assert letter.headers["origin-partition"] == b"0"


def test_ops_can_count_dead_letters(poisoned, capsys):
    poisoned.close()
    assert main(["dead-letters", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_a_replay_records_the_dead_letters_without_publishing_them_again(
    poisoned, settings, tmp_path, capsys
):
    poisoned.close()
    assert main(["audit", "replay", "--into", f"sqlite:///{tmp_path}/replay.sqlite"]) == 0
    assert "every projection table equals the live one" in capsys.readouterr().out
    assert len(read_all(settings.kafka_bootstrap_servers, dead_letter_topic(settings))) == 2
