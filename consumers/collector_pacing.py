"""Running Python's cyclic garbage collector less often while a projector catches up.

Catching up, a projector holds a poll's worth of records and decoded envelopes (tens of
thousands of objects) while it allocates more. With CPython's default first threshold (700
allocations) the collector runs every few events and walks those survivors again each time;
measured on a replay, that was a fifth to a quarter of the time. Projection code frees what it
allocates by reference counting, so collecting less often only delays freeing the rare cycle.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between two young-generation collections: ~14x the default, still a few times
# per poll, so memory held by cycles stays bounded by a few polls' worth.
CATCH_UP_THRESHOLD = 10_000

_lock = threading.Lock()
_holders = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def collecting_less_often() -> Iterator[None]:
    """Raise the collector's first threshold for the block; nested or concurrent blocks (two
    projectors draining in one process) share it, and the last one out restores the previous
    thresholds."""
    global _holders, _saved  # noqa: PLW0603 - one setting per process, shared by every holder
    with _lock:
        if _holders == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(CATCH_UP_THRESHOLD, _saved[0]), *_saved[1:])
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                gc.set_threshold(*_saved)
