"""`ledger relay` killed with SIGKILL at random moments while events keep being recorded."""

from __future__ import annotations

import random
import time

import pytest

from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.faults.killing import Kill, describe, kill_at_random_moment, wait_for_progress
from tests.faults.processes import Processes, Spawned
from tests.faults.progress import RelayProgress
from tests.faults.projections_agree import assert_projections_complete_and_rebuildable
from tests.faults.published import assert_exactly_once_in_order, stored_positions
from tests.fixtures.infrastructure import ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

RELAY_KILLS = 12
# Some kills wait for the most delicate moment: Kafka has acknowledged events that the
# checkpoint does not cover yet, so the next relay must find them on Kafka and skip them.
WHEN_AHEAD_SHARE = 0.3
AHEAD_TIMEOUT_S = 10.0
SEED_DAYS = 200  # about 1,400 events of every kind before the first relay starts


def kill_relays(
    processes: Processes, progress: RelayProgress, rng: random.Random, times: int
) -> tuple[list[Kill], list[int]]:
    """Start `ledger relay` and kill it, `times` times; also returns, for each kill, how many
    acknowledged events its checkpoint did not cover."""
    kills, ahead = [], []
    for _ in range(times):
        relay = processes.ledger("relay")
        if rng.random() < WHEN_AHEAD_SHARE:
            kills.append(kill_when_kafka_is_ahead(relay, progress))
        else:
            kills.append(kill_at_random_moment(relay, rng, progress.position))
        ahead.append(progress.ahead_of_checkpoint())
    return kills, ahead


def kill_when_kafka_is_ahead(relay: Spawned, progress: RelayProgress) -> Kill:
    """Once it publishes, kill it as soon as Kafka holds more than its checkpoint covers (or
    after a timeout). Not before its first checkpoint: what an earlier kill left ahead would
    count."""
    before = progress.position()
    wait_for_progress(relay, progress.position, before)
    deadline = time.monotonic() + AHEAD_TIMEOUT_S
    while progress.ahead_of_checkpoint() <= 0 and time.monotonic() < deadline:
        relay.expect_alive()
    relay.expect_alive()
    relay.sigkill()
    after = progress.position()
    return Kill(relay.name, "when Kafka was ahead", after > before, after, relay.orphans_outlive())


def test_relay_killed_at_random_publishes_every_event_once_in_order(
    kafka_bootstrap, tmp_path, spawner, fault_seed, report
):
    env = ledger_env(kafka_bootstrap, tmp_path / "ledger")
    settings = Settings.from_env(env)
    ledger = open_ledger(settings)
    run_seed_scenario(ledger, seed=fault_seed % 1000, days=SEED_DAYS)
    processes = spawner(env)
    progress = RelayProgress(settings)
    writer = processes.module("tests.faults.writer", "--first", "1000", label="writer")
    try:
        kills, ahead = kill_relays(processes, progress, random.Random(fault_seed), RELAY_KILLS)
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
        f"relay (seed {fault_seed}): survived {describe(kills)}; "
        f"Kafka ahead of the checkpoint after {sum(n > 0 for n in ahead)} of them "
        f"(up to {max(ahead)} events to skip); {len(stored):,} events, "
        f"{published.duplicates} duplicates, chain verified, replay equals live"
    )
