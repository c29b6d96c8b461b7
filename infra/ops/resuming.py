"""Long-running loops that wait out an absent database and resume on their own.

A relay or projector whose database restarts is closed and opened again from scratch, rather
than patched up in place: opening is the path every crash already takes (the relay re-reads
what Kafka holds beyond its checkpoint and takes its lock again, the projector rejoins its
group and seeks to the positions stored with its rows), and the fault suite proves that path.
Patching in place would need its own proof: a projector's consumer, for one, has already moved
past the records of a transaction that never committed.

While it waits the loop's heartbeat is stopped, so /readyz answers 503; the first step after
reopening beats again. Errors other than an absent database end the loop as before.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from infra.store.availability import database_unavailable

Component = TypeVar("Component")
Loop = Callable[[threading.Event], None]

FIRST_WAIT_S = 0.2
LONGEST_WAIT_S = 5.0


def resuming(
    name: str,
    open_component: Callable[[], Component],
    loop_of: Callable[[Component], Loop],
    close_component: Callable[[Component], None],
    waits: tuple[float, float] = (FIRST_WAIT_S, LONGEST_WAIT_S),
) -> Loop:
    """A loop that opens its component, runs it until `stop`, and closes it; when the database
    is away (at opening or at any step) it closes what it has, waits with doubling pauses
    (from `waits[0]` up to `waits[1]` seconds) and opens again."""
    first, longest = waits

    def loop(stop: threading.Event) -> None:
        wait = first
        while not stop.is_set():
            component: Component | None = None
            started = time.monotonic()
            try:
                component = open_component()
                loop_of(component)(stop)
            except Exception as error:
                if not database_unavailable(error):
                    raise
                _close_quietly(close_component, component)
                component = None
                if time.monotonic() - started > longest:
                    wait = first  # it ran a while: this is a new outage, not the same one
                _say(
                    f"{name}: database unavailable ({_first_line(error)}); reopening in {wait:.1f}s"
                )
                stop.wait(wait)
                wait = min(wait * 2, longest)
            finally:
                if component is not None:
                    close_component(component)

    return loop


def _close_quietly(close: Callable[[Component], None], component: Component | None) -> None:
    """Close what was opened; with the database away, closing may fail for the same reason."""
    if component is None:
        return
    try:
        close(component)
    except Exception as error:
        if not database_unavailable(error):
            raise


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _say(line: str) -> None:
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr, flush=True)
