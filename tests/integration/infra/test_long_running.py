"""Relay and projector in their long-running mode pick up events recorded while they run."""

import threading
import time
from datetime import date

import pytest

from infra.bootstrap import open_projector, open_relay
from infra.store.event_store import open_ledger
from projections.partner_statuses import partner_statuses
from tests.builders.scenario import certify, enrol_partners

pytestmark = pytest.mark.kafka


def wait_for(condition, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_events_recorded_while_running_reach_the_projection(settings):
    ledger = open_ledger(settings)
    relay = open_relay(settings, ledger)
    projector = open_projector(settings)
    stop = threading.Event()
    threads = [threading.Thread(target=loop, args=(stop,)) for loop in (relay.run, projector.run)]
    for thread in threads:
        thread.start()
    try:
        codes = enrol_partners(ledger, 3)
        certify(ledger, codes[1], "Ann")

        def projected_certifications() -> int:
            with projector.engine.connect() as connection:
                views = partner_statuses(connection, date(2011, 1, 1))
            return sum(v.active_technical_certifications for v in views) if len(views) == 3 else -1

        assert wait_for(lambda: projected_certifications() == 1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        relay.close()
        projector.close()
    assert not any(thread.is_alive() for thread in threads)
