"""End-to-end latency: from a command's return to its decision row in the projections.

`ledger up` (relay and projector in follow mode, one process, as an operator runs it) tails a
fresh SQLite event store. This process issues `register_deal` commands at a fixed rate, open
loop (each at its scheduled time, never waiting for the previous one to be projected), and a
watcher thread polls the projection database for each command's exclusivity-decision row.
A command's latency is the time from `register_deal` returning (its events committed to the
store) to the watcher first seeing that row (relayed, consumed, projected and committed).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from benchmarks.commands import prepare_program, registrations
from benchmarks.measurements import BenchmarkError
from domain.commands import RegisterDeal
from domain.ledger import Ledger
from infra.settings import Settings
from infra.store.event_store import open_ledger, sqlalchemy_url
from projections.database import open_projection_db
from projections.models.exclusivity_decisions import exclusivity_decision
from projections.schema import projected_version

DEFAULT_RATE = 50  # commands per second: a busy partner portal, far below what the store takes
DEFAULT_COMMANDS = 500  # ten seconds at the default rate
WARM_UP_COMMANDS = 20  # untimed: first fetches, first statements compiled in both processes
WATCH_INTERVAL_S = 0.001  # the figures' resolution
CATCH_UP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LatencyResult:
    rate_per_s: float  # the fixed rate commands were scheduled at
    achieved_rate_per_s: float  # commands issued / time from first to last
    latencies_s: list[float]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_s) * 1000

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies_s, n=100, method="inclusive")[98] * 1000


def measure_e2e_latency(
    settings: Settings, environment: Mapping[str, str], rate: float, commands: int
) -> LatencyResult:
    """Latency of `commands` registrations issued at `rate` per second against `ledger up`.

    `settings` and `environment` (the same configuration, for the subprocess) must name an
    empty SQLite event store and fresh topics, group and projection database.
    """
    ledger = open_ledger(settings)
    try:
        specialists = prepare_program(ledger)
        # A fresh SQLite store numbers its notifications 1, 2, 3...: the last id is the count.
        stored = ledger.recorder.max_notification_id() or 0
        planned = registrations(specialists, WARM_UP_COMMANDS + commands)
        with ledger_up(environment, Path(settings.data_dir) / "latency-up.log") as up:
            engine = open_projection_db(sqlalchemy_url(settings.projections_url))
            try:
                wait_until_projected(engine, stored, up)
                watcher = DecisionWatcher(engine)
                watcher.start()
                try:
                    issue(ledger, planned[:WARM_UP_COMMANDS], rate, watcher)
                    watcher.wait_for_all(up)
                    watcher.forget()
                    started = time.perf_counter()
                    issued = issue(ledger, planned[WARM_UP_COMMANDS:], rate, watcher)
                    achieved = commands / (time.perf_counter() - started)
                    watcher.wait_for_all(up)
                finally:
                    watcher.stop()
            finally:
                engine.dispose()
    finally:
        ledger.close()
    return LatencyResult(rate, achieved, [watcher.seen[d] - issued[d] for d in issued])


def issue(
    ledger: Ledger, planned: list[RegisterDeal], rate: float, watcher: DecisionWatcher
) -> dict[str, float]:
    """Issue each command at its slot of a fixed schedule; when each returned, by decision."""
    returned: dict[str, float] = {}
    start = time.perf_counter()
    for number, command in enumerate(planned):
        delay = start + number / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        decision_id = str(ledger.register_deal(command).decision_id)
        returned[decision_id] = time.perf_counter()
        watcher.expect(decision_id)
    return returned


class DecisionWatcher:
    """Polls the projection database for expected decision rows; records when each appears."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: dict[str, float] = {}
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def expect(self, decision_id: str) -> None:
        # Added only once the command has returned: a row can never be timed before that.
        with self._lock:
            self._pending.add(decision_id)

    def forget(self) -> None:
        with self._lock:
            self.seen.clear()

    def wait_for_all(self, up: LedgerUp) -> None:
        deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
        while True:
            with self._lock:
                missing = len(self._pending)
            if not missing:
                return
            up.require_running()
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise BenchmarkError(
                    f"{missing} decisions not projected within {CATCH_UP_TIMEOUT_S:.0f}s "
                    "under `ledger up`"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL_S):
            with self._lock:
                pending = list(self._pending)
            if not pending:
                continue
            # A connection per look: each one is a fresh snapshot of what was committed.
            with self.engine.connect() as connection:
                found = connection.execute(
                    select(exclusivity_decision.c.decision_id).where(
                        exclusivity_decision.c.decision_id.in_(pending)
                    )
                ).scalars()
                now = time.perf_counter()
                with self._lock:
                    for decision_id in found:
                        self.seen[decision_id] = now
                        self._pending.discard(decision_id)


def wait_until_projected(engine: Engine, events: int, up: LedgerUp) -> None:
    """Until the set-up's `events` are projected: each aggregate's versions count its events."""
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while True:
        with engine.connect() as connection:
            projected = connection.execute(select(func.sum(projected_version.c.version))).scalar()
        if (projected or 0) >= events:
            return
        up.require_running()
        if time.monotonic() > deadline:
            raise BenchmarkError(
                f"`ledger up` projected {projected or 0} of the {events} set-up events "
                f"within {CATCH_UP_TIMEOUT_S:.0f}s"
            )
        time.sleep(0.1)


@dataclass(frozen=True)
class LedgerUp:
    process: subprocess.Popen[bytes]
    log: Path

    def require_running(self) -> None:
        if self.process.poll() is not None:
            tail = self.log.read_text(errors="replace").strip().splitlines()[-5:]
            raise BenchmarkError(
                f"`ledger up` exited with code {self.process.returncode}: " + " / ".join(tail)
            )


@contextmanager
def ledger_up(environment: Mapping[str, str], log: Path) -> Iterator[LedgerUp]:
    """`ledger up` in a process of its own, stopped with SIGTERM as an operator would."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "up"],
            cwd=REPOSITORY,
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield LedgerUp(process, log)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
