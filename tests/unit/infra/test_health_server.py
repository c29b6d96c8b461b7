"""A process's health server over real HTTP: ready only while every loop makes progress."""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.core import Metric
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from infra.ops.health_server import HealthServer, Heartbeat
from infra.ops.monitored_loops import beating


def get(server: HealthServer, path: str) -> tuple[int, str]:
    host, port = server.address
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served():
    servers = []

    def serve(beats, stale_after_s=30.0) -> HealthServer:
        server = HealthServer("127.0.0.1", 0, beats, stale_after_s).start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.close()


def test_alive_but_not_ready_before_the_loop_makes_progress(served):
    server = served([Heartbeat("relay")])
    assert get(server, "/healthz") == (200, '{"status": "ok"}')
    status, body = get(server, "/readyz")
    assert status == 503
    assert json.loads(body) == {"status": "not ready", "checks": {"relay": "not ready"}}


def test_ready_once_every_loop_has_made_progress(served):
    relay, projector = Heartbeat("relay"), Heartbeat("projector")
    server = served([relay, projector])
    relay.beat()
    assert get(server, "/readyz")[0] == 503
    projector.beat()
    status, body = get(server, "/readyz")
    assert status == 200
    assert json.loads(body)["checks"] == {"relay": "ok", "projector": "ok"}


def test_not_ready_once_progress_is_stale(served):
    relay = Heartbeat("relay")
    server = served([relay], stale_after_s=0.2)
    relay.beat()
    time.sleep(0.3)
    assert get(server, "/readyz")[0] == 503


def test_not_ready_once_the_loop_stopped(served):
    relay = Heartbeat("relay")
    server = served([relay])
    stop = threading.Event()
    steps = []

    def step() -> int:
        steps.append(1)
        if len(steps) == 3:
            stop.set()
        return 1

    beating(step, relay, idle_wait_s=0)(stop)
    assert relay.iterations == 3
    assert get(server, "/readyz")[0] == 503


def test_a_failing_step_stops_the_heartbeat(served):
    relay = Heartbeat("relay")
    server = served([relay])
    relay.beat()

    def step() -> int:
        raise RuntimeError("broker gone")

    with pytest.raises(RuntimeError):
        beating(step, relay, idle_wait_s=0)(threading.Event())
    assert get(server, "/readyz")[0] == 503


def scrape(server: HealthServer, accept: str | None = None) -> tuple[str, dict[str, Metric]]:
    """The content type and the metric families of one scrape, parsed in the format served."""
    host, port = server.address
    request = urllib.request.Request(f"http://{host}:{port}/metrics")
    if accept is not None:
        request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=5) as response:
        content_type = response.headers["Content-Type"]
        assert response.headers["Vary"] == "Accept"
        body = response.read().decode()
    parse = (
        openmetrics_families
        if content_type.startswith("application/openmetrics-text")
        else text_string_to_metric_families
    )
    return content_type, {family.name: family for family in parse(body)}


def samples(family: Metric) -> dict[tuple[str, str], float]:
    return {(sample.name, sample.labels.get("loop", "")): sample.value for sample in family.samples}


def test_metrics_show_each_loops_heartbeat(served):
    relay = Heartbeat("relay")
    server = served([relay, Heartbeat("projector")])
    before = time.time()
    relay.beat()
    relay.beat()
    after = time.time()

    _, families = scrape(server)

    iterations = families["ledger_loop_iterations"]
    assert iterations.type == "counter"
    assert samples(iterations) == {
        ("ledger_loop_iterations_total", "relay"): 2,
        ("ledger_loop_iterations_total", "projector"): 0,
    }
    last_progress = families["ledger_loop_last_progress_timestamp_seconds"]
    assert last_progress.type == "gauge"
    # A wall-clock timestamp of the last beat, and none for a loop that has not made progress.
    ((name, loop), at), *others = samples(last_progress).items()
    assert (name, loop, others) == ("ledger_loop_last_progress_timestamp_seconds", "relay", [])
    assert before <= at <= after


def test_metrics_include_the_process_own(served):
    _, families = scrape(served([Heartbeat("relay")]))
    assert families["python_info"].type == "gauge"
    assert families["process_start_time_seconds"].type == "gauge"
    assert families["process_cpu_seconds"].type == "counter"
    assert "process_resident_memory_bytes" in families


def test_metrics_are_prometheus_text_unless_openmetrics_is_asked_for(served):
    server = served([Heartbeat("relay")])
    assert scrape(server)[0] == "text/plain; version=0.0.4; charset=utf-8"
    assert scrape(server, "text/plain")[0] == "text/plain; version=0.0.4; charset=utf-8"
    content_type, families = scrape(
        server, "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"
    )
    assert content_type.startswith("application/openmetrics-text; version=1.0.0")
    # OpenMetrics names a counter's family without `_total` and its sample with it.
    assert samples(families["ledger_loop_iterations"]) == {
        ("ledger_loop_iterations_total", "relay"): 0
    }


def test_unknown_paths_are_not_found(served):
    assert get(served([Heartbeat("relay")]), "/admin")[0] == 404
