"""A process's health server over real HTTP: ready only while every loop makes progress."""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

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


def test_metrics_show_each_loops_heartbeat(served):
    relay = Heartbeat("relay")
    server = served([relay, Heartbeat("projector")])
    relay.beat()
    relay.beat()
    status, body = get(server, "/metrics")
    assert status == 200
    assert 'ledger_loop_iterations_total{loop="relay"} 2.0' in body
    assert 'ledger_loop_iterations_total{loop="projector"} 0.0' in body
    assert 'ledger_loop_seconds_since_progress{loop="relay"}' in body
    assert 'ledger_loop_seconds_since_progress{loop="projector"}' not in body


def test_unknown_paths_are_not_found(served):
    assert get(served([Heartbeat("relay")]), "/admin")[0] == 404
