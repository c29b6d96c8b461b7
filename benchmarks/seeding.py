"""The seed scenario end to end: recorded, published and projected, on the run's broker."""

from __future__ import annotations

import time

from benchmarks.measurements import BenchmarkError, Timing, require_count, warm_up_metadata
from infra.bootstrap import open_projector, open_relay
from infra.kafka.topics import ledger_topics
from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger

# Projector.drain() ends once it reaches the partition ends seen at assignment, which already
# hold every event (the relay has drained); more drains are only a guard against a rebalance.
MAX_DRAINS = 10


def time_seed_scenario(settings: Settings) -> Timing:
    """`run_seed_scenario` (default seed and days) + `relay.drain()` + projector drains.

    Returns the events the scenario stored and the wall time of all three.

    `settings` must name an empty event store and fresh topics, group and projection DB.
    Opening the store, the relay and the projector (creating topics, joining no group yet) is
    set-up and is not timed; the projector joins its group inside the timed drain.
    """
    ledger = open_ledger(settings)
    relay = open_relay(settings, ledger)
    projector = open_projector(settings)
    try:
        warm_up_metadata(relay.producer, ledger_topics(settings))
        started = time.perf_counter()
        events = run_seed_scenario(ledger).events
        published = relay.drain()
        projected = 0
        for _ in range(MAX_DRAINS):
            projected += projector.drain()
            if projected >= events:
                break
        seconds = time.perf_counter() - started
    finally:
        projector.close()
        projector.engine.dispose()
        relay.close()
        relay.checkpoint.engine.dispose()
        ledger.close()
    if not events:
        raise BenchmarkError("the seed scenario stored no events")
    require_count("seed scenario relay", published, events)
    require_count("seed scenario projector", projected, events)
    return Timing(events, seconds)
