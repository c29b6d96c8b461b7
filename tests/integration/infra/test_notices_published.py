"""Notices from `sweep` travel like every event: stored once, relayed to `<prefix>.notice` in
the hash chain, each addressed to its own partner, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from infra.audit.verify import verify
from infra.store.event_store import open_ledger
from tests.builders.api_world import BIGCORP_DEAL, PROTECTED, record_program
from tests.builders.pipeline import relay_all
from tests.fixtures.topic_reader import read_all

pytestmark = pytest.mark.kafka

SWEEP_ON = date(2011, 4, 3)  # antemeta's protection lapses on 2011-04-10, bigcorp's on 04-13


def test_a_sweep_publishes_its_notices_once_on_their_own_topic(settings):
    ledger = open_ledger(settings)
    try:
        record_program(ledger)
        first = ledger.sweep(SWEEP_ON)
        again = ledger.sweep(SWEEP_ON)
        relay_all(settings, ledger)
    finally:
        ledger.close()

    messages = read_all(settings.kafka_bootstrap_servers, f"{settings.topic_prefix}.notice")
    told = sorted(
        (
            m.envelope["payload"]["partner_code"],
            m.envelope["payload"]["subject"],
            m.envelope["payload"]["days_before"],
        )
        for m in messages
    )
    assert (first.notices_issued, again.notices_issued) == (2, 0)
    assert told == [("antemeta", PROTECTED, 7), ("bigcorp", BIGCORP_DEAL, 30)]
    assert {m.headers["event-type"] for m in messages} == {b"notice.issued"}
    for message in messages:
        payload = message.envelope["payload"]
        others = {"antemeta", "bigcorp", "cloudco"} - {payload["partner_code"]}
        assert not any(other in message.value.decode() for other in others)
    assert verify(settings).ok
