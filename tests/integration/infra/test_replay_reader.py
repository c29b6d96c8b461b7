"""The replay's reading process: every record once, in order, and a loud failure otherwise."""

from __future__ import annotations

import os
import signal

import pytest
from kafka import TopicPartition

from infra.audit.replay_reader import ReplayReader, ReplayReadError
from infra.bootstrap import open_relay
from infra.kafka.topics import ledger_topics
from infra.store.event_store import open_ledger
from tests.builders.scenario import certify, enrol_partners, stored_positions
from tests.fixtures.infrastructure import free_port

pytestmark = pytest.mark.kafka


@pytest.fixture
def published(settings):
    ledger = open_ledger(settings)
    for code in enrol_partners(ledger, 25):
        certify(ledger, code, "Ann")
    relay = open_relay(settings, ledger)
    relay.drain()
    relay.close()
    yield settings, stored_positions(ledger)
    ledger.close()


def test_every_record_is_delivered_once_in_offset_order(published):
    settings, positions = published
    reader = ReplayReader(settings.kafka_bootstrap_servers, ledger_topics(settings), {})
    try:
        offsets: dict[TopicPartition, list[int]] = {}
        for polled in reader.batches():
            for tp, records in polled.items():
                offsets.setdefault(tp, []).extend(r.offset for r in records)
    finally:
        reader.close()
    assert reader.total == len(positions) == sum(len(found) for found in offsets.values())
    for found in offsets.values():
        assert found == list(range(len(found)))


def test_a_reader_that_dies_is_reported_not_taken_for_the_end(published):
    settings, _ = published
    reader = ReplayReader(settings.kafka_bootstrap_servers, ledger_topics(settings), {})
    try:
        os.kill(reader.process.pid, signal.SIGKILL)
        reader.process.join()
        with pytest.raises(ReplayReadError, match="exited"):
            list(reader.batches())
    finally:
        reader.close()


def test_an_unreachable_broker_is_named():
    with pytest.raises(ReplayReadError, match=r"Unable to bootstrap from 127\.0\.0\.1"):
        ReplayReader(f"127.0.0.1:{free_port()}", ["ledger.partner"], {})
