"""`ledger audit verify` on real topics: untouched ledgers verify, each kind of tampering is caught.

Kafka cannot edit a record in place, so a tamperer rewrites history by copying the topics with
changes (as an operator with admin rights could, then point everyone at the copy) or appends to
the real topics. The tests do both, on a real broker, and verify with the CLI reading Kafka only.
"""

from __future__ import annotations

import dataclasses
import json
import uuid

import orjson
import pytest
from kafka import KafkaProducer

from cli.main import main
from contracts.wire.catalog import AGGREGATE_TYPES, chain_topic_name, topic_name
from contracts.wire.chain import event_hash
from contracts.wire.chain_verify import PublishedRecord
from infra.bootstrap import open_relay
from infra.kafka.clients import ensure_topics, producer_settings
from infra.kafka.snapshot import read_topics
from infra.log_keys import log_origin
from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.scenario import certify, enrol_partners

pytestmark = pytest.mark.kafka
SEALED_BATCH = 10
SEALS = 4


@pytest.fixture
def published(env, settings, monkeypatch):
    """Twelve partners' events relayed in several batches (several seals)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ledger = open_ledger(settings)
    for code in enrol_partners(ledger, 12):
        certify(ledger, code, "Ann")
        certify(ledger, code, "Bob")
    # 36 events in batches of 10: four batches, so four seals (the fixture's whole point).
    relay = open_relay(dataclasses.replace(settings, relay_batch_size=SEALED_BATCH), ledger)
    relay.drain()
    relay.close()
    ledger.close()
    assert len(snapshot(settings)[1]) >= SEALS, "the fixture must leave several seals"
    return settings


def verify_json(capsys, prefix: str | None = None, monkeypatch=None) -> tuple[int, dict]:
    if prefix is not None:
        # A copy poses as the original log: its checkpoints carry the original's origin.
        monkeypatch.setenv("LEDGER_LOG_ORIGIN", log_origin(Settings.from_env()))
        monkeypatch.setenv("LEDGER_TOPIC_PREFIX", prefix)
    code = main(["audit", "verify", "--json"])
    document = json.loads(capsys.readouterr().out)
    return code, document


def snapshot(settings) -> tuple[list[PublishedRecord], list[PublishedRecord]]:
    events = [topic_name(settings.topic_prefix, kind) for kind in AGGREGATE_TYPES]
    chain = chain_topic_name(settings.topic_prefix)
    records = read_topics(settings.kafka_bootstrap_servers, [*events, chain])
    return [r for t in events for r in records[t]], records[chain]


def position_of(record: PublishedRecord) -> int:
    return orjson.loads(record.value)["position"]


def rewritten(record: PublishedRecord, **changes) -> PublishedRecord:
    envelope = orjson.loads(record.value)
    envelope.update(changes)
    return dataclasses.replace(record, value=orjson.dumps(envelope))


def copy_ledger(settings, events, seals) -> str:
    """Write the given records under a new topic prefix, each in its original partition."""
    prefix = f"tampered-{uuid.uuid4().hex[:8]}"
    renamed = {
        topic_name(settings.topic_prefix, kind): topic_name(prefix, kind)
        for kind in AGGREGATE_TYPES
    }
    ensure_topics(
        settings.kafka_bootstrap_servers, list(renamed.values()), settings.topic_partitions, 1
    )
    ensure_topics(settings.kafka_bootstrap_servers, [chain_topic_name(prefix)], 1, 1)
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **producer_settings()
    )
    for record in events:
        producer.send(renamed[record.topic], value=record.value, partition=record.partition)
    for record in seals:
        producer.send(chain_topic_name(prefix), value=record.value, partition=0)
    producer.flush()
    producer.close()
    return prefix


def test_an_untouched_ledger_verifies(published, capsys):
    code = main(["audit", "verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "the chain holds: 36 events" in out


def test_an_untouched_copy_verifies_so_the_copying_itself_is_faithful(
    published, capsys, monkeypatch
):
    events, seals = snapshot(published)
    code, document = verify_json(capsys, copy_ledger(published, events, seals), monkeypatch)
    assert (code, document["ok"], document["events"]) == (0, True, 36)


def test_an_altered_payload_is_caught_at_its_position(published, capsys, monkeypatch):
    events, seals = snapshot(published)
    victim = next(r for r in events if position_of(r) == 20)
    payload = orjson.loads(victim.value)["payload"]
    payload["individual"] = "Mallory"
    events[events.index(victim)] = rewritten(victim, payload=payload)
    code, document = verify_json(capsys, copy_ledger(published, events, seals), monkeypatch)
    assert code == 1
    assert document["first_bad_position"] == 20
    assert document["problems"][0]["kind"] == "altered"


def test_a_missing_event_is_caught_at_its_position(published, capsys, monkeypatch):
    events, seals = snapshot(published)
    events = [r for r in events if position_of(r) != 11]
    code, document = verify_json(capsys, copy_ledger(published, events, seals), monkeypatch)
    assert code == 1
    assert (document["first_bad_position"], document["problems"][0]["kind"]) == (11, "missing")


def test_a_reordered_event_is_caught_at_its_position(published, capsys, monkeypatch):
    events, seals = snapshot(published)
    # Move one partner's certification before its enrolment within their partition.
    first = min(events, key=position_of)
    partition = [r for r in events if (r.topic, r.partition) == (first.topic, first.partition)]
    second = partition[1]
    events[events.index(first)] = dataclasses.replace(second, offset=first.offset)
    events[events.index(second)] = dataclasses.replace(first, offset=second.offset)
    events.sort(key=lambda r: (r.topic, r.partition, r.offset))
    code, document = verify_json(capsys, copy_ledger(published, events, seals), monkeypatch)
    assert code == 1
    assert document["problems"][0]["kind"] == "reordered"
    assert document["first_bad_position"] == position_of(first)


def test_an_event_injected_into_the_live_topic_is_caught(published, capsys):
    events, _ = snapshot(published)
    victim = next(r for r in events if position_of(r) == 7)
    payload = orjson.loads(victim.value)["payload"]
    payload["individual"] = "Mallory"
    forged = rewritten(victim, payload=payload)
    producer = KafkaProducer(bootstrap_servers=published.kafka_bootstrap_servers)
    producer.send(victim.topic, value=forged.value, partition=victim.partition)
    producer.flush()
    producer.close()
    code, document = verify_json(capsys)
    assert code == 1
    assert (document["first_bad_position"], document["problems"][0]["kind"]) == (7, "injected")


def test_a_well_linked_event_appended_after_the_head_is_caught(published, capsys):
    events, _ = snapshot(published)
    head = max(events, key=position_of)
    forged = rewritten(
        head,
        position=position_of(head) + 1,
        previous_position=position_of(head),
        previous_hash=event_hash(head.value),
        aggregate_version=orjson.loads(head.value)["aggregate_version"] + 1,
    )
    producer = KafkaProducer(bootstrap_servers=published.kafka_bootstrap_servers)
    producer.send(head.topic, value=forged.value, partition=head.partition)
    producer.flush()
    producer.close()
    code, document = verify_json(capsys)
    assert code == 1
    assert document["problems"][0]["kind"] == "unsealed"
    assert document["first_bad_position"] == position_of(head) + 1


def test_an_empty_ledger_verifies_as_empty(env, settings, monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, document = verify_json(capsys)
    assert (code, document["events"], document["ok"]) == (0, 0, True)
