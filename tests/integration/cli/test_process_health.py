"""`ledger relay | project --health-port`: real processes answer their probes while they run."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from infra.store.event_store import open_ledger
from tests.builders.scenario import enrol_partners

pytestmark = pytest.mark.kafka

HEALTH_LINE = re.compile(r"health: http://127\.0\.0\.1:(\d+)/healthz")


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def health_port(process: subprocess.Popen) -> int:
    for line in process.stdout:
        found = HEALTH_LINE.search(line)
        if found:
            return int(found.group(1))
    raise AssertionError(f"no health line; exit code {process.wait()}")


def wait_until_ready(port: int, timeout_s: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status, body = get(port, "/readyz")
        if status == 200:
            return json.loads(body)
        time.sleep(0.2)
    raise AssertionError(f"not ready within {timeout_s}s: {body}")


@pytest.mark.parametrize(("command", "loop"), [("relay", "relay"), ("project", "projector")])
def test_a_running_process_is_live_then_ready_and_stops_on_sigterm(env, settings, command, loop):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 2)
    ledger.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", command, "--health-port", "0"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = health_port(process)
        assert get(port, "/healthz")[0] == 200

        assert wait_until_ready(port) == {"status": "ready", "checks": {loop: "ok"}}
        status, metrics = get(port, "/metrics")
        assert status == 200
        iterations = re.search(rf'ledger_loop_iterations_total{{loop="{loop}"}} (\S+)', metrics)
        assert iterations
        assert float(iterations.group(1)) >= 1

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
