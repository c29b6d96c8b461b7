"""Killing a process at seeded random moments, again and again, and recording where it died.

A moment is either early (a random delay after the start, which often lands in start-up:
recovery, group join, the first batch) or at work (just after the process has shown progress,
which lands inside its publishing or projecting loop). `progress` is read from the process's
own durable state, never from its output, so it is what a restart will resume from.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tests.faults.processes import Spawned

EARLY_SHARE = 0.35
EARLY_WITHIN_S = 1.5
AT_WORK_WITHIN_S = 0.4
PROGRESS_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Kill:
    name: str
    planned: str  # "early", "at work", or another moment a test chose
    made_progress: bool  # whether its durable progress moved before it died
    progress: int  # the durable progress it left behind
    orphans: bool  # whether something it spawned outlived it


def kill_at_random_moment(
    spawned: Spawned, rng: random.Random, progress: Callable[[], int]
) -> Kill:
    before = progress()
    planned = "early" if rng.random() < EARLY_SHARE else "at work"
    if planned == "early":
        time.sleep(rng.uniform(0.0, EARLY_WITHIN_S))
    else:
        wait_for_progress(spawned, progress, before)
        time.sleep(rng.uniform(0.0, AT_WORK_WITHIN_S))
    spawned.expect_alive()
    spawned.sigkill()
    after = progress()
    return Kill(spawned.name, planned, after > before, after, spawned.orphans_outlive())


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
    start: Callable[[], Spawned], times: int, rng: random.Random, progress: Callable[[], int]
) -> list[Kill]:
    """Start a process and kill it, `times` times over."""
    return [kill_at_random_moment(start(), rng, progress) for _ in range(times)]


def describe(kills: list[Kill]) -> str:
    planned = Counter(k.planned for k in kills)
    progressed = sum(k.made_progress for k in kills)
    return (
        f"{len(kills)} SIGKILLs ({', '.join(f'{n} {when}' for when, n in planned.items())}; "
        f"{progressed} after some progress, {len(kills) - progressed} before any)"
    )
