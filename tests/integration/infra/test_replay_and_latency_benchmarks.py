"""The replay and latency benchmarks run end to end on a small history (the figures
themselves belong to `make bench`, not to a test)."""

from dataclasses import replace

import pytest

from benchmarks.latency import measure_e2e_latency
from benchmarks.measurements import BenchmarkError
from benchmarks.replay import time_replay
from infra.bootstrap import open_relay
from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.fixtures.infrastructure import ledger_env

pytestmark = pytest.mark.kafka


@pytest.fixture
def published(kafka_bootstrap, tmp_path) -> tuple[Settings, int]:
    """A short seed history relayed to Kafka; the settings and the number of events."""
    settings = Settings.from_env(ledger_env(kafka_bootstrap, tmp_path))
    ledger = open_ledger(settings)
    events = run_seed_scenario(ledger, seed=5, days=30).events
    relay = open_relay(settings, ledger)
    relay.drain()
    relay.close()
    ledger.close()
    return settings, events


def test_the_replay_is_timed_over_every_published_event(published, tmp_path):
    settings, events = published
    target = replace(settings, projections_url=f"sqlite:///{tmp_path / 'replay.sqlite'}")
    assert time_replay(target, events).events == events


def test_a_replay_that_projects_a_different_count_is_refused(published, tmp_path):
    settings, events = published
    target = replace(settings, projections_url=f"sqlite:///{tmp_path / 'replay.sqlite'}")
    with pytest.raises(BenchmarkError, match=f"replay handled {events} events"):
        time_replay(target, events + 1)


def test_latency_is_measured_from_schedule_and_return_for_every_command_under_ledger_up(
    kafka_bootstrap, tmp_path
):
    environment = ledger_env(kafka_bootstrap, tmp_path)
    result = measure_e2e_latency(Settings.from_env(environment), environment, 50, 20)
    assert len(result.scheduled_to_visible_s) == len(result.returned_to_visible_s) == 20
    assert min(result.returned_to_visible_s) > 0
    # A command returns after its slot, so its wait from the slot is never the shorter one.
    assert all(
        scheduled >= returned
        for scheduled, returned in zip(
            result.scheduled_to_visible_s, result.returned_to_visible_s, strict=True
        )
    )
    for figures in (result.scheduled_to_visible, result.returned_to_visible):
        assert figures.p999_ms >= figures.p99_ms >= figures.p50_ms > 0
