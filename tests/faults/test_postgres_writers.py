"""Concurrent writer processes on a PostgreSQL event store while `ledger relay` tails it.

The writers share partners, so they conflict, retry, and leave holes in the notification ids
(a rolled-back insert still consumed its id). The relay is killed a few times along the way and
then left to tail; every committed event must reach Kafka once, in order, and the chain
(which links each event to the previous committed one, holes or not) must verify.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from domain.ledger import Ledger
from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.scenario import enrol_partners
from tests.faults.killing import AT_WORK, EARLY, describe, kill_repeatedly
from tests.faults.progress import RelayProgress
from tests.faults.published import assert_exactly_once_in_order, holes, stored_positions
from tests.faults.windows import AFTER_PROGRESS, DURING_CONFLICTS, require_windows
from tests.fixtures.infrastructure import ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka, pytest.mark.postgres]

WRITERS = 3
SHARED_PARTNERS = 4
# Relay kills planned at each moment, and the windows they must have landed in.
PLANNED = {EARLY: 2, AT_WORK: 2}
REQUIRED = {AFTER_PROGRESS: 2, DURING_CONFLICTS: 1}


def hole_ahead(ledger: Ledger, progress: RelayProgress) -> frozenset[str]:
    """DURING_CONFLICTS if the committed ids beyond the relay's checkpoint skip one."""
    position = progress.position()
    last = ledger.recorder.max_notification_id() or 0
    ahead = [n.id for n in ledger.recorder.select_notifications(start=position + 1, limit=last)]
    skipped = bool(ahead) and ahead[-1] - position > len(ahead)
    return frozenset([DURING_CONFLICTS]) if skipped else frozenset()


TAILING_S = 4.0
CATCH_UP_TIMEOUT_S = 60.0


def writer_args(n: int, shared: list[str]) -> list[str]:
    return ["--first", str(1000 * (n + 1)), "--shared", *shared]


def test_every_event_committed_by_concurrent_writers_is_published_once_in_order(
    kafka_bootstrap, postgres_url, tmp_path, spawner, fault_seed, report
):
    env = ledger_env(kafka_bootstrap, tmp_path / "ledger", database_url=postgres_url)
    settings = Settings.from_env(env)
    ledger = open_ledger(settings)
    shared = enrol_partners(ledger, SHARED_PARTNERS)
    processes = spawner(env)
    progress = RelayProgress(settings)
    writers = [
        processes.module("tests.faults.writer", *writer_args(n, shared), label="writer")
        for n in range(WRITERS)
    ]
    try:
        kills = kill_repeatedly(
            lambda: processes.ledger("relay", health=True),
            PLANNED,
            random.Random(fault_seed),
            progress.position,
            lambda: hole_ahead(ledger, progress),
        )
        relay = processes.ledger("relay")
        time.sleep(TAILING_S)
    finally:
        for writer in writers:
            writer.terminate()
    summaries = [json.loads(writer.finish().splitlines()[-1]) for writer in writers]
    stored = stored_positions(ledger)
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while progress.position() < stored[-1]:
        relay.expect_alive()
        assert time.monotonic() < deadline, f"the relay never caught up:\n{relay.output()}"
        time.sleep(0.2)
    progress.close()
    assert relay.terminate() == 0, relay.output()
    processes.run_ledger("relay", "--once")

    published = assert_exactly_once_in_order(settings, stored)
    conflicts = sum(s["conflicts"] for s in summaries)
    # The test exists for conflicting writers and the holes they leave; a run without either
    # proves nothing about them.
    assert conflicts >= 1, f"the writers never conflicted (seed {fault_seed})"
    assert holes(stored) >= 1, f"no hole in the notification ids (seed {fault_seed})"
    report(
        f"postgres writers (seed {fault_seed}): {WRITERS} writers, {conflicts} version "
        f"conflicts retried, {holes(stored)} holes in the notification ids; relay survived "
        f"{describe(kills)} and tailed {len(stored):,} committed events: "
        f"{published.duplicates} duplicates, in order, chain verified"
    )
    require_windows(kills, REQUIRED, fault_seed)
