"""The auditors' replay timed like the projector: `ledger audit replay`'s projecting part."""

from __future__ import annotations

import time

from benchmarks.measurements import Timing, require_count
from infra.audit.replay import ReplayRun
from infra.settings import Settings


def time_replay(settings: Settings, expected: int) -> Timing:
    """A replay's `drain()` from offset zero into the empty database of `settings`.

    Opening it (checking topics, creating the tables, starting the reading process and
    fetching partition metadata) is set-up and is not timed, as connecting is not for the raw
    consumer; the drain is reading, decoding and projecting only. Comparing
    the rebuilt tables with the live ones (the rest of `ledger audit replay`) is not timed.
    """
    running = ReplayRun(settings, settings.projections_url)
    try:
        started = time.perf_counter()
        count = running.drain()
        seconds = time.perf_counter() - started
    finally:
        running.close()
    require_count("replay", count, expected)
    return Timing(count, seconds)
