"""`ledger project --once` run right after a `ledger project` was killed (the real command).

A member killed with SIGKILL stays in its group until its session expires, and until then no
partition is assigned to anyone. With kafka-python's default session (45 s) a drain started
right after the crash gave up after its 30 s wait for an assignment and exited 3 although
nothing was wrong. The projector's session is now 10 s (`infra.kafka.clients`); this test
holds it to that with the real command.
"""

from __future__ import annotations

import pytest

from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.scenario import certify, enrol_partners
from tests.faults.killing import wait_for_progress
from tests.faults.progress import ProjectorProgress
from tests.faults.projections_agree import read_projected, stored_versions
from tests.fixtures.infrastructure import ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka]


def test_a_drain_started_right_after_a_projector_crash_projects_everything(
    kafka_bootstrap, tmp_path, spawner
):
    env = ledger_env(kafka_bootstrap, tmp_path / "ledger")
    settings = Settings.from_env(env)
    ledger = open_ledger(settings)
    for code in enrol_partners(ledger, 20):
        certify(ledger, code, "Ann")
    processes = spawner(env)
    processes.run_ledger("relay", "--once")
    progress = ProjectorProgress(settings)
    crashed = processes.ledger("project")
    wait_for_progress(crashed, progress.offsets, 0)
    crashed.sigkill()
    progress.close()

    processes.run_ledger("project", "--once")

    assert read_projected(settings.projections_url).versions == stored_versions(ledger)[0]
