"""PostgreSQL restarted under `ledger up`, the API and a writer: everyone waits it out.

The server is the test's own (tests.fixtures.private_postgres), stopped with `-m immediate`
(every connection cut at once, crash recovery on the next start) and started again after a
seeded pause, at seeded moments, while a writer records commands, `ledger up` relays and
projects them and `ledger api serve` answers readiness probes. Neither process may exit: they
report not ready while the database is away (probed throughout), then resume on their own.
Afterwards every stored event is on Kafka once and in order, the chain verifies, and the
projections equal a rebuild.

`make test` runs a few restarts; `make faults` sets LEDGER_FAULT_PG_RESTARTS for more.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.scenario import enrol_partners
from tests.faults.processes import Spawned
from tests.faults.progress import ProjectorProgress, RelayProgress
from tests.faults.projections_agree import assert_projections_complete_and_rebuildable
from tests.faults.published import assert_exactly_once_in_order, stored_positions
from tests.fixtures.infrastructure import free_port, ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka, pytest.mark.postgres]

RESTARTS = int(os.environ.get("LEDGER_FAULT_PG_RESTARTS", "3"))
BETWEEN_S = (1.0, 3.0)  # running time between two restarts
DOWN_S = (0.0, 2.0)  # how long the server stays stopped
RESUME_TIMEOUT_S = 60.0
CATCH_UP_TIMEOUT_S = 120.0
PROBE_EVERY_S = 0.05


class Readiness:
    """Polls a /readyz endpoint from a thread, counting the answers."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}/readyz"
        self.answers: Counter[str] = Counter()
        self.last: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.last = self.ask()
            self.answers[self.last] += 1
            self._stop.wait(PROBE_EVERY_S)

    def ask(self) -> str:
        try:
            with urllib.request.urlopen(self.url, timeout=5) as response:
                return str(response.status)
        except urllib.error.HTTPError as error:
            return str(error.code)
        except OSError:
            return "no answer"  # before the server listens

    def wait_ready(self, process: Spawned, since: str) -> None:
        deadline = time.monotonic() + RESUME_TIMEOUT_S
        while self.ask() != "200":
            process.expect_alive()
            assert time.monotonic() < deadline, (
                f"{self.name} not ready {RESUME_TIMEOUT_S:.0f}s {since}:\n{process.output()}"
            )
            time.sleep(0.1)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def test_ledger_up_and_the_api_wait_out_postgresql_restarts(
    kafka_bootstrap, private_postgres, tmp_path, spawner, fault_seed, report
):
    rng = random.Random(fault_seed)
    url = private_postgres.create_database("ledger_restarts")
    env = ledger_env(kafka_bootstrap, tmp_path / "ledger", database_url=url)
    settings = Settings.from_env(env)
    ledger = open_ledger(settings)
    enrol_partners(ledger, 3)
    ledger.close()
    processes = spawner(env)
    up_port, api_port = free_port(), free_port()
    up = processes.ledger("up", "--health-port", str(up_port))
    api = processes.ledger("api", "serve", "--port", str(api_port))
    pipeline, served = Readiness("ledger up", up_port), Readiness("the API", api_port)
    writer = processes.module("tests.faults.writer", "--first", "1000", "--through-restarts",
                              label="writer")  # fmt: skip
    try:
        pipeline.wait_ready(up, "after start")
        served.wait_ready(api, "after start")
        for number in range(1, RESTARTS + 1):
            time.sleep(rng.uniform(*BETWEEN_S))
            private_postgres.restart_immediately(down_s=rng.uniform(*DOWN_S))
            pipeline.wait_ready(up, f"after restart {number}")
            served.wait_ready(api, f"after restart {number}")
            writer.expect_alive()
    finally:
        writer.terminate()
        pipeline.close()
        served.close()
    written = json.loads(writer.finish().splitlines()[-1])

    ledger = open_ledger(settings)
    stored = stored_positions(ledger)
    relay_progress, projector_progress = RelayProgress(settings), ProjectorProgress(settings)
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    try:
        while relay_progress.position() < stored[-1] or projector_progress.offsets() < len(stored):
            up.expect_alive()
            assert time.monotonic() < deadline, (
                f"ledger up never caught up: relay at {relay_progress.position()} of "
                f"{stored[-1]}, projector offsets {projector_progress.offsets()} of "
                f"{len(stored)} events:\n{up.output()}"
            )
            time.sleep(0.2)
    finally:
        relay_progress.close()
        projector_progress.close()
    api.expect_alive()
    assert up.terminate() == 0, up.output()

    waited = up.output(last_lines=100_000).count("database unavailable")
    # Each process saw the database go: a run where none noticed proves nothing.
    assert waited >= 1, f"ledger up never saw the database away:\n{up.output()}"
    for probe in (pipeline, served):
        assert set(probe.answers) <= {"200", "503", "no answer"}, probe.answers
        assert probe.answers["503"] >= 1, f"{probe.name} never reported not ready"
    assert_exactly_once_in_order(settings, stored)
    replayed = assert_projections_complete_and_rebuildable(
        settings, ledger, f"sqlite:///{tmp_path / 'replay.sqlite'}"
    )
    assert replayed == len(stored)
    report(
        f"postgres restarts (seed {fault_seed}): ledger up and the API survived "
        f"{private_postgres.restarts} immediate restarts ({waited} waits for the database; "
        f"readiness 503 {pipeline.answers['503']} times for ledger up, "
        f"{served.answers['503']} for the API); the writer dropped {written['dropped']} "
        f"commands; {len(stored):,} events published once in order and projected, "
        "replay equals live"
    )
