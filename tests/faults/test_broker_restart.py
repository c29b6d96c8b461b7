"""The broker stopped, and crashed, under a publishing relay, then started again.

A broker of the test's own (the session's broker is shared): once stopped cleanly (SIGTERM,
the launcher's `stop`) and once killed outright (SIGKILL), each time while the relay is
publishing, and started again a few seconds later. The relay either waits for it (its
producer never expires a batch) or exits, in which case it is started again, as a supervisor
would; in the end Kafka holds every event once, in order, and the chain verifies.
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass

import pytest

from infra.kafka.launcher import BrokerConfig, start, stop
from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.scenario import enrol_partners
from tests.faults.killing import wait_for_progress
from tests.faults.processes import Processes, Spawned
from tests.faults.progress import RelayProgress
from tests.faults.published import assert_exactly_once_in_order, stored_positions
from tests.fixtures.infrastructure import ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

OUTAGES = ("stopped", "crashed")
CATCH_UP_TIMEOUT_S = 90.0


@dataclass
class Supervised:
    """A long-running `ledger relay`, started again whenever it has exited."""

    processes: Processes
    relay: Spawned
    exits: list[str]

    def restart_if_exited(self) -> None:
        if not self.relay.alive:
            last = self.relay.output(last_lines=1)
            self.exits.append(f"{self.relay.name} exit {self.relay.process.returncode}: {last}")
            self.relay = self.processes.ledger("relay")


def take_broker_down(config: BrokerConfig, how: str) -> None:
    if how == "crashed":
        os.killpg(int(config.pid_file.read_text()), signal.SIGKILL)
    stop(config, timeout_s=30)  # after a crash: only reaps it and clears the pid file


def wait_for_catch_up(supervised: Supervised, progress: RelayProgress, last: int) -> None:
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while progress.position() < last:
        supervised.restart_if_exited()
        assert time.monotonic() < deadline, (
            f"the relay never caught up:\n{supervised.relay.output()}"
        )
        time.sleep(0.2)


def test_relay_survives_the_broker_stopping_and_crashing_while_it_publishes(
    own_broker, tmp_path, spawner, fault_seed, report
):
    rng = random.Random(fault_seed)
    env = ledger_env(own_broker.bootstrap_servers, tmp_path / "ledger")
    settings = Settings.from_env(env)
    ledger = open_ledger(settings)
    enrol_partners(ledger, 500, first=9000)
    processes = spawner(env)
    progress = RelayProgress(settings)
    supervised = Supervised(processes, processes.ledger("relay"), [])
    writer = processes.module("tests.faults.writer", "--first", "1000", label="writer")
    try:
        for how in OUTAGES:
            wait_for_progress(supervised.relay, progress.position, progress.position())
            time.sleep(rng.uniform(0.0, 0.3))
            take_broker_down(own_broker, how)
            time.sleep(rng.uniform(2.0, 5.0))
            start(own_broker)
            supervised.restart_if_exited()
    finally:
        writer.terminate()
    writer.finish()
    stored = stored_positions(ledger)
    wait_for_catch_up(supervised, progress, stored[-1])
    progress.close()
    assert supervised.relay.terminate() == 0, supervised.relay.output()
    processes.run_ledger("relay", "--once")

    published = assert_exactly_once_in_order(settings, stored)
    report(
        f"broker (seed {fault_seed}): survived {len(OUTAGES)} broker restarts "
        f"({', '.join(OUTAGES)}) while the relay published; relay restarted "
        f"{len(supervised.exits)} times {supervised.exits}; {len(stored):,} events, "
        f"{published.duplicates} duplicates, chain verified"
    )
