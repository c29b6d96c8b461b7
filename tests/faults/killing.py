"""Killing a process at seeded moments, again and again, and recording where it died.

A moment is either early (a short random delay after the process printed its readiness line,
so it lands in start-up: recovery, group join, the first batch, never in interpreter imports)
or at work (just after the process has shown progress, which lands inside its publishing or
projecting loop). Which windows a kill actually landed in is recorded (tests.faults.windows),
and tests require minimums of each. `progress` is read from the process's own durable state,
never from its output, so it is what a restart will resume from.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from tests.faults.processes import Spawned
from tests.faults.windows import AFTER_PROGRESS, IN_START_UP, describe_windows, schedule

EARLY = "early"
AT_WORK = "at work"
# After the readiness line: start-up (opening the store, recovery read-back, group join) takes
# from a few hundred milliseconds to a second or two on a loaded machine.
EARLY_WITHIN_S = 0.3
AT_WORK_WITHIN_S = 0.4
PROGRESS_TIMEOUT_S = 60.0
READY_TIMEOUT_S = 60.0
# Printed by every long-running `ledger` command started with a health port, once its imports
# and settings are done and before it opens anything (infra.ops.monitored_loops).
READY_LINE = "health: http://"


@dataclass(frozen=True)
class Kill:
    name: str
    planned: str  # "early", "at work", or another moment a test chose
    made_progress: bool  # whether its durable progress moved before it died
    progress: int  # the durable progress it left behind
    orphans: bool  # whether something it spawned outlived it
    windows: frozenset[str] = frozenset()  # where it landed, as observed (tests.faults.windows)


def kill_at_moment(
    spawned: Spawned, planned: str, rng: random.Random, progress: Callable[[], int]
) -> Kill:
    """Kill `spawned` early (in start-up) or at work, as `planned`."""
    spawned.wait_for_line(READY_LINE, READY_TIMEOUT_S)
    before = progress()
    if planned == EARLY:
        time.sleep(rng.uniform(0.0, EARLY_WITHIN_S))
    else:
        wait_for_progress(spawned, progress, before)
        time.sleep(rng.uniform(0.0, AT_WORK_WITHIN_S))
    spawned.expect_alive()
    spawned.sigkill()
    after = progress()
    window = AFTER_PROGRESS if after > before else IN_START_UP
    return Kill(
        spawned.name, planned, after > before, after, spawned.orphans_outlive(), frozenset([window])
    )


def wait_for_progress(spawned: Spawned, progress: Callable[[], int], before: int) -> None:
    deadline = time.monotonic() + PROGRESS_TIMEOUT_S
    while progress() <= before:
        spawned.expect_alive()
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{spawned.name} made no progress in {PROGRESS_TIMEOUT_S:.0f} s:\n"
                + spawned.output()
            )
        time.sleep(0.02)


def kill_repeatedly(
    start: Callable[[], Spawned],
    planned: Mapping[str, int],
    rng: random.Random,
    progress: Callable[[], int],
    observe: Callable[[], frozenset[str]] = frozenset,
) -> list[Kill]:
    """Start a process and kill it, `planned[moment]` times at each moment, in seeded order.
    `observe`, called right after each kill, names further windows the kill landed in."""
    kills = []
    for moment in schedule(rng, planned):
        kill = kill_at_moment(start(), moment, rng, progress)
        kills.append(replace(kill, windows=kill.windows | observe()))
    return kills


def describe(kills: list[Kill]) -> str:
    planned = ", ".join(f"{n} {when}" for when, n in Counter(k.planned for k in kills).items())
    return f"{len(kills)} SIGKILLs (planned {planned}; landed {describe_windows(kills)})"
