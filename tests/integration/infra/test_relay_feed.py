"""The relay's encoder process gives exactly what inline encoding gives, and fails loudly."""

from __future__ import annotations

import dataclasses
import os
import signal

import pytest

from contracts.wire.catalog import AGGREGATE_TYPES
from contracts.wire.chain import GENESIS
from infra.relay.batches import BatchEncoder
from infra.relay.cloudevents import cloudevents_source
from infra.relay.feed import EncoderProcess, RelayFeedError
from infra.store.event_store import open_ledger
from tests.builders.scenario import certify, enrol_partners

COUNTS = dict.fromkeys(AGGREGATE_TYPES, 3)


@pytest.fixture
def stored(settings):
    ledger = open_ledger(settings)
    for code in enrol_partners(ledger, 30):
        certify(ledger, code, "Ann")
    yield ledger
    ledger.close()


def batches(feed, head=GENESIS):
    while True:
        feed.request(head)
        batch = feed.receive()
        if not batch.records:
            return
        yield batch
        head = batch.head


def test_the_encoder_process_gives_what_inline_encoding_gives(settings, stored):
    inline = BatchEncoder(
        stored.recorder,
        stored.mapper,
        COUNTS,
        settings.relay_batch_size,
        cloudevents_source(settings),
    )
    expected = []
    head = GENESIS
    while batch := inline.next_batch(head):
        expected.append(batch)
        head = batch.head
    child = EncoderProcess(settings, COUNTS)
    try:
        got = list(batches(child))
    finally:
        child.close()
    assert got == expected
    assert sum(len(b) for b in got) == 60
    assert got[-1].head.count == 60


def test_an_encoder_that_dies_stops_the_relay_with_a_clear_error(settings, stored):
    child = EncoderProcess(settings, COUNTS)
    try:
        os.kill(child.process.pid, signal.SIGKILL)
        child.process.join()
        with pytest.raises(RelayFeedError, match=r"encoder exited \(code -9\)"):
            next(batches(child))
    finally:
        child.close()


def test_an_encoder_that_cannot_open_the_store_says_so(settings, tmp_path):
    # A directory where the store's file should be: SQLite cannot open it.
    broken = dataclasses.replace(settings, event_store_url=f"sqlite:///{tmp_path}")
    with pytest.raises(RelayFeedError, match="failed to start"):
        EncoderProcess(broken, COUNTS)
