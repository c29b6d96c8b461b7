"""The projector killed with SIGKILL at random moments while the relay keeps publishing."""

from __future__ import annotations

import random

import pytest

from tests.faults.killing import AT_WORK, EARLY, describe, kill_repeatedly
from tests.faults.processes import Processes
from tests.faults.progress import ProjectorProgress
from tests.faults.projections_agree import assert_projections_complete_and_rebuildable
from tests.faults.published import assert_exactly_once_in_order, stored_positions
from tests.faults.seeded import seeded_store
from tests.faults.windows import AFTER_PROGRESS, IN_START_UP, require_windows
from tests.fixtures.infrastructure import ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

# Kills planned at each moment, and the windows they must have landed in (an early kill may
# find the projector already past its group join, so one is spared).
PLANNED = {EARLY: 3, AT_WORK: 5}
REQUIRED = {IN_START_UP: 2, AFTER_PROGRESS: 5}
SEED_DAYS = 300  # about 2,000 events of every kind: every projection table gets rows


def test_projector_killed_at_random_leaves_projections_equal_to_a_rebuild(
    kafka_bootstrap, tmp_path, spawner, fault_seed, report
):
    env = ledger_env(kafka_bootstrap, tmp_path / "ledger")
    settings, ledger = seeded_store(env, fault_seed, SEED_DAYS)
    processes = spawner(env)
    progress = ProjectorProgress(settings)
    relay = processes.ledger("relay")
    writer = processes.module("tests.faults.writer", "--first", "1000", label="writer")
    try:
        kills = kill_repeatedly(
            lambda: processes.ledger("project", label="project", health=True),
            PLANNED,
            random.Random(fault_seed),
            progress.offsets,
        )
    finally:
        writer.terminate()
        progress.close()
    writer.finish()
    assert relay.terminate() == 0, relay.output()
    processes.run_ledger("relay", "--once")
    stored = stored_positions(ledger)
    project_once_to_the_end(processes, ProjectorProgress(settings), len(stored))

    assert_exactly_once_in_order(settings, stored)
    replayed = assert_projections_complete_and_rebuildable(
        settings, ledger, f"sqlite:///{tmp_path / 'replay.sqlite'}"
    )
    assert replayed == len(stored)
    report(
        f"projector (seed {fault_seed}): survived {describe(kills)}; {len(stored):,} events, "
        "every aggregate projected to its last version, certifications counted once, "
        "replay equals live; caught up in one final --once run"
    )
    require_windows(kills, REQUIRED, fault_seed)


def project_once_to_the_end(
    processes: Processes, progress: ProjectorProgress, records: int
) -> None:
    """One `ledger project --once`, which must leave the stored offsets covering all `records`.

    The last projector was SIGKILLed a moment before, so this run may start while the dead
    member still holds partitions: the drain must wait for them, not finish on its own share.
    """
    try:
        output = processes.ledger("project", "--once", label="project-final").finish()
        offsets = progress.offsets()
    finally:
        progress.close()
    last_line = " ".join(output.strip().splitlines()[-1:])
    assert offsets >= records, (
        f"`project --once` stopped short: stored offsets sum to {offsets:,} of {records:,} "
        f"records ({last_line!r})"
    )
