"""A SIGKILLed relay's encoder child exits on its own, quietly: no BrokenPipeError traceback.

The child inherits the relay's stderr, which Spawned writes to the relay's log file, so that
file holds whatever the child printed after its parent died.
"""

from __future__ import annotations

import pytest

from tests.faults.killing import READY_LINE, READY_TIMEOUT_S, wait_for_progress
from tests.faults.progress import RelayProgress
from tests.faults.seeded import seeded_store
from tests.fixtures.infrastructure import ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

KILLS = 3  # each at work: the encoder is then most likely preparing the next batch
SEED_DAYS = 120


def test_a_killed_relays_encoder_exits_without_a_traceback(
    kafka_bootstrap, tmp_path, spawner, fault_seed
):
    env = {**ledger_env(kafka_bootstrap, tmp_path / "ledger"), "LEDGER_RELAY_BATCH_SIZE": "10"}
    settings, ledger = seeded_store(env, fault_seed, SEED_DAYS)
    ledger.close()
    processes = spawner(env)
    progress = RelayProgress(settings)
    # New events keep coming, so every relay started has work to show before its kill (a fixed
    # store could be drained by the first ones, leaving a later relay nothing to progress on).
    writer = processes.module("tests.faults.writer", "--first", "1000", label="writer")
    try:
        for _ in range(KILLS):
            relay = processes.ledger("relay", health=True)
            relay.wait_for_line(READY_LINE, READY_TIMEOUT_S)
            wait_for_progress(relay, progress.position, progress.position())
            relay.expect_alive()
            relay.sigkill()
            assert not relay.orphans_outlive(), "the encoder outlived its relay"
            # The log is complete now: the whole group, the encoder too, has exited.
            assert "Traceback" not in relay.log.read_text(errors="replace"), relay.output()
    finally:
        writer.terminate()
        progress.close()
