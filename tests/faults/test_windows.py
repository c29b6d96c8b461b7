"""The fault tests' window check, on a real process: a schedule that misses a window fails.

The process is a stand-in that prints the ledger's readiness line and then idles; its
"durable progress" is a counter the test controls, so where each kill lands is known.
"""

from __future__ import annotations

import itertools
import random
import sys

import pytest

from tests.faults.killing import AT_WORK, EARLY, READY_LINE, kill_repeatedly
from tests.faults.processes import Spawned
from tests.faults.windows import (
    AFTER_PROGRESS,
    IN_START_UP,
    landed,
    require_windows,
    schedule,
)

IDLER = f"import time; print({READY_LINE!r} + '127.0.0.1:1/healthz', flush=True); time.sleep(60)"


@pytest.fixture
def start_idler(tmp_path):
    started: list[Spawned] = []

    def start() -> Spawned:
        spawned = Spawned(f"idler-{len(started)}", [sys.executable, "-c", IDLER], {}, tmp_path)
        started.append(spawned)
        return spawned

    yield start
    for spawned in started:
        spawned.stop_everything()


def test_a_schedule_of_early_kills_misses_the_after_progress_window(start_idler):
    def still() -> int:
        return 0

    kills = kill_repeatedly(start_idler, {EARLY: 2}, random.Random(7), still)

    assert landed(kills) == {IN_START_UP: 2}
    with pytest.raises(AssertionError, match="after progress: 0 of the 1 required") as failure:
        require_windows(kills, {AFTER_PROGRESS: 1}, seed=7)
    assert "LEDGER_FAULT_SEED=7" in str(failure.value)


def test_kills_at_work_after_progress_meet_the_minimum(start_idler):
    moving = itertools.count()

    kills = kill_repeatedly(start_idler, {AT_WORK: 2}, random.Random(7), lambda: next(moving))

    assert landed(kills) == {AFTER_PROGRESS: 2}
    require_windows(kills, {AFTER_PROGRESS: 2}, seed=7)


def test_a_schedule_holds_every_planned_kill_in_a_seeded_order():
    planned = {EARLY: 3, AT_WORK: 5}
    first = schedule(random.Random(1), planned)
    assert sorted(first) == sorted([EARLY] * 3 + [AT_WORK] * 5)
    assert schedule(random.Random(1), planned) == first
