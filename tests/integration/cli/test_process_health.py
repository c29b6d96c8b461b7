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
from tests.fixtures.promtool import (
    OPENMETRICS,
    TEXT_FORMAT,
    check_openmetrics,
    check_text_format,
    promtool,
)

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


def start(env: dict[str, str], *command: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", *command, "--health-port", "0"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def scrape(port: int, accept: str) -> tuple[str, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers["Content-Type"], response.read()


@pytest.mark.parametrize(("command", "loop"), [("relay", "relay"), ("project", "projector")])
def test_a_running_process_is_live_then_ready_and_stops_on_sigterm(env, settings, command, loop):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 2)
    ledger.close()
    process = start(env, command)
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
        stop(process)


def test_promtool_finds_nothing_to_say_about_a_running_process_metrics(env, settings, tmp_path):
    promtool()  # skips (or fails, under LEDGER_REQUIRE_PROMTOOL=1) before starting anything
    process = start(env, "up")
    try:
        port = health_port(process)
        wait_until_ready(port)

        content_type, body = scrape(port, TEXT_FORMAT)
        assert content_type.startswith("text/plain; version=0.0.4")
        assert b"ledger_loop_last_progress_timestamp_seconds{" in body
        assert b"process_start_time_seconds " in body
        check_text_format(body)

        content_type, body = scrape(port, OPENMETRICS)
        assert content_type.startswith("application/openmetrics-text; version=1.0.0")
        check_openmetrics(body, tmp_path)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        stop(process)
