"""The windows a fault test exists to kill a process in, and the minimums it must reach.

A kill counts in a window only by what was observed when it landed, never by what was planned:
- in start-up: after the process printed its readiness line (imports done, settings read),
  before any durable progress of its own (recovery, group join, first batch);
- after progress: its durable progress (checkpoint, stored offsets) moved before it died;
- with Kafka ahead of the checkpoint: right after the kill Kafka held events the relay's
  checkpoint did not cover, which the next relay must find and skip;
- during conflicts: right after the kill, the notification ids beyond the relay's checkpoint
  had a hole (a writer's insert rolled back on a version conflict), which the next relay
  must read across without waiting for or inventing the missing id;
- while holding partitions: a projector group member that, as the broker's group coordinator
  described the group just before the kill, had partitions assigned (a member holding none
  leaves nothing behind to take over).

`require_windows` fails a test whose kills missed a window more often than it allows, naming
the seed that replays the schedule: a test that printed counts but accepted zero would pass
without the thing it claims.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Protocol

IN_START_UP = "in start-up"
AFTER_PROGRESS = "after progress"
KAFKA_AHEAD = "with Kafka ahead of the checkpoint"
HOLDING_PARTITIONS = "while holding partitions"
DURING_CONFLICTS = "during conflicts (a hole ahead of the checkpoint)"
WINDOWS = (IN_START_UP, AFTER_PROGRESS, KAFKA_AHEAD, DURING_CONFLICTS, HOLDING_PARTITIONS)


class Landed(Protocol):
    @property
    def windows(self) -> frozenset[str]: ...


def schedule(rng: random.Random, planned: Mapping[str, int]) -> list[str]:
    """`planned[moment]` kills of each moment, in a seeded random order."""
    moments = [moment for moment, count in planned.items() for _ in range(count)]
    rng.shuffle(moments)
    return moments


def landed(kills: Sequence[Landed]) -> Counter[str]:
    return Counter(window for kill in kills for window in kill.windows)


def require_windows(kills: Sequence[Landed], minimums: Mapping[str, int], seed: int) -> None:
    """Fail unless at least `minimums[window]` of `kills` landed in each window."""
    counts = landed(kills)
    short = [
        f"{window}: {counts[window]} of the {minimum} required"
        for window, minimum in minimums.items()
        if counts[window] < minimum
    ]
    if short:
        raise AssertionError(
            f"kills missed their windows ({'; '.join(short)}) out of {len(kills)} kills; "
            f"replay this schedule with LEDGER_FAULT_SEED={seed}"
        )


def describe_windows(kills: Sequence[Landed]) -> str:
    counts = landed(kills)
    return ", ".join(f"{counts[w]} {w}" for w in WINDOWS if counts[w]) or "in no window"
