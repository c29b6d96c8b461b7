"""End-to-end latency: from a command's scheduled time to its decision row in the projections.

`ledger up` (relay and projector in follow mode, one process, as deployed: with a health port,
so the monitored loops run, as in docker-compose) tails a fresh SQLite event store. This
process issues `register_deal` commands at a fixed rate, open loop (each at its slot of a fixed
schedule, never waiting for the previous one to be projected), and a watcher thread polls the
projection database for each command's exclusivity-decision row.

Two latencies per command, both ending when the watcher first sees the row (relayed, consumed,
projected and committed):
- scheduled to visible: from the command's slot in the schedule. This is what a user issuing
  commands at that rate sees: the command itself and any slip behind the schedule count
  (no coordinated omission).
- returned to visible: from `register_deal` returning (its events committed to the store), the
  pipeline's share alone.
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
from benchmarks.environment import free_port
from benchmarks.measurements import BenchmarkError
from domain.commands import RegisterDeal
from domain.ledger import Ledger
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
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
class Percentiles:
    """p50, p99 and p99.9 of a set of latencies, in milliseconds."""

    p50_ms: float
    p99_ms: float
    p999_ms: float

    @classmethod
    def of(cls, latencies_s: list[float]) -> Percentiles:
        cuts = statistics.quantiles(latencies_s, n=1000, method="inclusive")
        return cls(statistics.median(latencies_s) * 1000, cuts[989] * 1000, cuts[998] * 1000)


@dataclass(frozen=True)
class LatencyResult:
    rate_per_s: float  # the fixed rate commands were scheduled at
    achieved_rate_per_s: float  # commands issued / time from the first slot to the last return
    scheduled_to_visible_s: list[float]
    returned_to_visible_s: list[float]

    @property
    def scheduled_to_visible(self) -> Percentiles:
        return Percentiles.of(self.scheduled_to_visible_s)

    @property
    def returned_to_visible(self) -> Percentiles:
        return Percentiles.of(self.returned_to_visible_s)


def measure_e2e_latency(
    settings: Settings, environment: Mapping[str, str], rate: float, commands: int
) -> LatencyResult:
    """Latency of `commands` registrations issued at `rate` per second against `ledger up`.

    `settings` and `environment` (the same configuration, for the subprocess) must name an
    empty SQLite event store and fresh topics, group and projection database.
    """
    # As deployed (compose sets LEDGER_HEALTH_PORT): the monitored loops, with their idle wait.
    environment = {**environment, "LEDGER_HEALTH_PORT": str(free_port())}
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
                up.require_health_server()
                watcher = DecisionWatcher(engine)
                watcher.start()
                try:
                    issue(ledger, planned[:WARM_UP_COMMANDS], rate, watcher)
                    watcher.wait_for_all(up)
                    watcher.forget()
                    issued = issue(ledger, planned[WARM_UP_COMMANDS:], rate, watcher)
                    watcher.wait_for_all(up)
                finally:
                    watcher.stop()
            finally:
                engine.dispose()
    finally:
        ledger.close()
    first_slot = min(times.scheduled for times in issued.values())
    last_return = max(times.returned for times in issued.values())
    return LatencyResult(
        rate,
        # n commands span n - 1 intervals of the schedule.
        (len(issued) - 1) / (last_return - first_slot),
        [watcher.seen[d] - times.scheduled for d, times in issued.items()],
        [watcher.seen[d] - times.returned for d, times in issued.items()],
    )


@dataclass(frozen=True)
class Issued:
    scheduled: float  # the command's slot in the fixed schedule (perf_counter seconds)
    returned: float  # when `register_deal` returned


def issue(
    ledger: Ledger, planned: list[RegisterDeal], rate: float, watcher: DecisionWatcher
) -> dict[str, Issued]:
    """Issue each command at its slot of a fixed schedule (late ones at once: the slip counts
    in "scheduled to visible"); when each was due and returned, by decision."""
    issued: dict[str, Issued] = {}
    start = time.perf_counter()
    for number, command in enumerate(planned):
        scheduled = start + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        decision_id = str(ledger.register_deal(command).decision_id)
        issued[decision_id] = Issued(scheduled, time.perf_counter())
        watcher.expect(decision_id)
    return issued


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

    def require_health_server(self) -> None:
        # The figure is only the deployed one if the health server (so the monitored loops) ran.
        if "health: http://" not in self.log.read_text(errors="replace"):
            raise BenchmarkError("`ledger up` did not start its health server")

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
