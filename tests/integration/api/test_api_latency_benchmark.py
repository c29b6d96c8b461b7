"""The API latency benchmark runs end to end on a small projected program (the figures
themselves belong to `make bench`, not to a test)."""

import pytest

from benchmarks.api_latency import measure_api_latency
from infra.settings import Settings
from tests.builders.api_world import CUSTOMERS, build_world
from tests.fixtures.infrastructure import ledger_env

pytestmark = pytest.mark.kafka


def test_measures_both_reads_over_http_on_loopback(kafka_bootstrap, tmp_path):
    world = build_world(Settings.from_env(ledger_env(kafka_bootstrap, tmp_path)))
    results = measure_api_latency(world.settings, requests=20)
    assert results["api_partners"] == 3
    assert results["api_opportunities"] == len(CUSTOMERS)  # every opportunity of the world
    assert results["api_requests"] == 20
    for key in ("api_partner_status_p99_ms", "api_decision_history_p99_ms"):
        assert results[key] >= results[key.replace("p99", "p50")] > 0
