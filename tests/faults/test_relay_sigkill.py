"""`ledger relay` killed with SIGKILL at random moments while events keep being recorded."""

from __future__ import annotations

import random
import time
from dataclasses import replace

import pytest

from tests.faults.killing import (
    AT_WORK,
    EARLY,
    READY_LINE,
    READY_TIMEOUT_S,
    Kill,
    describe,
    kill_at_moment,
    wait_for_progress,
)
from tests.faults.processes import Processes, Spawned
from tests.faults.progress import RelayProgress
from tests.faults.projections_agree import assert_projections_complete_and_rebuildable
from tests.faults.published import assert_exactly_once_in_order, stored_positions
from tests.faults.seeded import seeded_store
from tests.faults.windows import (
    AFTER_PROGRESS,
    IN_START_UP,
    KAFKA_AHEAD,
    require_windows,
    schedule,
)
from tests.fixtures.infrastructure import ledger_env

WHEN_AHEAD = "when Kafka is ahead"

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

# Kills planned at each moment, in a seeded order. "when ahead" waits for the most delicate
# moment: Kafka has acknowledged events that the checkpoint does not cover yet, so the next
# relay must find them on Kafka and skip them.
PLANNED = {EARLY: 3, AT_WORK: 5, WHEN_AHEAD: 4}
# What the kills must have landed in, as observed (tests.faults.windows): a little slack under
# the plan, as an early kill may find the relay already past its start-up.
REQUIRED = {IN_START_UP: 1, AFTER_PROGRESS: 5, KAFKA_AHEAD: 3}
AHEAD_TIMEOUT_S = 20.0
SEED_DAYS = 200  # about 1,400 events of every kind before the first relay starts


def kill_relays(processes: Processes, progress: RelayProgress, rng: random.Random) -> list[Kill]:
    """Start `ledger relay` (with a health port, as deployed) and kill it at each planned
    moment; each kill records whether Kafka was then ahead of the checkpoint."""
    kills = []
    for moment in schedule(rng, PLANNED):
        relay = processes.ledger("relay", health=True)
        if moment == WHEN_AHEAD:
            kill = kill_when_kafka_is_ahead(relay, progress)
        else:
            kill = kill_at_moment(relay, moment, rng, progress.position)
        if progress.ahead_of_checkpoint() > 0:
            kill = replace(kill, windows=kill.windows | {KAFKA_AHEAD})
        kills.append(kill)
    return kills


def kill_when_kafka_is_ahead(relay: Spawned, progress: RelayProgress) -> Kill:
    """Once it publishes, kill it as soon as Kafka holds more than its checkpoint covers. Not
    before its first checkpoint: what an earlier kill left ahead would count. If that moment
    never comes, it is killed anyway and the kill does not count in that window."""
    relay.wait_for_line(READY_LINE, READY_TIMEOUT_S)
    before = progress.position()
    wait_for_progress(relay, progress.position, before)
    deadline = time.monotonic() + AHEAD_TIMEOUT_S
    while progress.ahead_of_checkpoint() <= 0 and time.monotonic() < deadline:
        relay.expect_alive()
    relay.expect_alive()
    relay.sigkill()
    after = progress.position()
    return Kill(
        relay.name,
        WHEN_AHEAD,
        after > before,
        after,
        relay.orphans_outlive(),
        frozenset([AFTER_PROGRESS]),
    )


def test_relay_killed_at_random_publishes_every_event_once_in_order(
    kafka_bootstrap, tmp_path, spawner, fault_seed, report
):
    env = ledger_env(kafka_bootstrap, tmp_path / "ledger")
    settings, ledger = seeded_store(env, fault_seed, SEED_DAYS)
    processes = spawner(env)
    progress = RelayProgress(settings)
    writer = processes.module("tests.faults.writer", "--first", "1000", label="writer")
    try:
        kills = kill_relays(processes, progress, random.Random(fault_seed))
    finally:
        writer.terminate()
        progress.close()
    writer.finish()
    processes.run_ledger("relay", "--once")

    stored = stored_positions(ledger)
    published = assert_exactly_once_in_order(settings, stored)
    assert not any(kill.orphans for kill in kills), "a killed relay left its encoder running"
    processes.run_ledger("project", "--once")
    assert_projections_complete_and_rebuildable(
        settings, ledger, f"sqlite:///{tmp_path / 'replay.sqlite'}"
    )
    report(
        f"relay (seed {fault_seed}): survived {describe(kills)}; {len(stored):,} events, "
        f"{published.duplicates} duplicates, chain verified, replay equals live"
    )
    require_windows(kills, REQUIRED, fault_seed)
