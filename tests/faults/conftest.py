"""Fixtures of the fault tests: seeds, process spawners, extra databases, a broker of their own."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from infra.kafka.launcher import BrokerConfig, default_cache_dir, start, stop
from tests.faults.processes import Processes
from tests.fixtures.infrastructure import drop_database, free_port

FAULT_SEED = pytest.StashKey[int]()


@pytest.fixture
def fault_seed(request: pytest.FixtureRequest) -> int:
    """LEDGER_FAULT_SEED, else a fresh one each run: CI tries a new schedule of kills every
    time, and a failing run names its seed (below) so that schedule can be replayed."""
    chosen = os.environ.get("LEDGER_FAULT_SEED", "").strip()
    seed = int(chosen) if chosen else random.SystemRandom().randrange(2**31)
    request.node.stash[FAULT_SEED] = seed
    return seed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    seed = item.stash.get(FAULT_SEED, None)
    if report.failed and seed is not None:
        report.sections.append(
            ("fault seed", f"replay this schedule with LEDGER_FAULT_SEED={seed}")
        )
    return report


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    """Print past pytest's capture, so the counts show in CI logs without -s."""

    def show(line: str) -> None:
        with capsys.disabled():
            print(f"\n[faults] {line}", flush=True)

    return show


@pytest.fixture
def spawner(tmp_path: Path) -> Iterator[Callable[[Mapping[str, str]], Processes]]:
    """Processes for a given environment; nothing they started outlives the test."""
    made: list[Processes] = []

    def make(env: Mapping[str, str]) -> Processes:
        processes = Processes(env, tmp_path / "logs")
        made.append(processes)
        return processes

    yield make
    for processes in made:
        processes.stop_all()


@pytest.fixture
def postgres_databases(postgres_admin_url: str) -> Iterator[Callable[[], str]]:
    """Fresh PostgreSQL databases on demand (a live one and a replay target, say)."""
    names: list[str] = []
    parts = urlsplit(postgres_admin_url)

    def create() -> str:
        name = f"ledger_fault_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return urlunsplit(parts._replace(path=f"/{name}"))

    yield create
    for name in names:
        drop_database(postgres_admin_url, name)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[BrokerConfig]:
    """A broker for one test alone, on free loopback ports, that the test may stop and start."""
    config = BrokerConfig(
        home=tmp_path / "kafka",
        cache_dir=default_cache_dir(),
        port=free_port(),
        controller_port=free_port(),
    )
    start(config)
    try:
        yield config
    finally:
        stop(config, timeout_s=30)
