"""Ctrl-C: a `ledger` command stops with exit code 130 and one line on stderr, no traceback.

The signal goes to the command's whole process group, as a terminal's Ctrl-C does, so the
relay's encoder child receives it too.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.store.event_store import open_ledger
from tests.builders.scenario import enrol_partners
from tests.fixtures.infrastructure import ledger_env

EXIT_INTERRUPTED = 130
INTERRUPTED_LINE = "ledger: interrupted (Ctrl-C)"
TIMEOUT_S = 60.0


@pytest.fixture
def silent_broker() -> Iterator[socket.socket]:
    """A port that accepts connections and never answers: Kafka clients wait on it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(TIMEOUT_S)
        yield server


def start(argv: list[str], env: dict[str, str], stderr: Path) -> subprocess.Popen[str]:
    with stderr.open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "cli.main", *argv],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            start_new_session=True,  # its own group, for a Ctrl-C that reaches its children
        )


def ctrl_c(process: subprocess.Popen[str]) -> int:
    try:
        os.killpg(process.pid, signal.SIGINT)
        return process.wait(TIMEOUT_S)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_ready(url: str, process: subprocess.Popen[str], stderr: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        assert process.poll() is None, stderr.read_text()
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200:
                return
        assert time.monotonic() < deadline, f"never ready: {stderr.read_text()}"
        time.sleep(0.1)


def assert_interrupted(code: int, stderr: Path) -> None:
    written = stderr.read_text(errors="replace")
    assert code == EXIT_INTERRUPTED, written
    assert "Traceback" not in written
    assert written.strip().splitlines()[-1] == INTERRUPTED_LINE


@pytest.mark.parametrize("command", ["relay", "project"])
def test_ctrl_c_during_a_once_run_exits_130_without_a_traceback(command, silent_broker, tmp_path):
    env = ledger_env(f"127.0.0.1:{silent_broker.getsockname()[1]}", tmp_path)
    stderr = tmp_path / "stderr.log"
    process = start([command, "--once"], env, stderr)
    # Once it has connected, it is past its imports and waiting inside its work.
    accepted, _ = silent_broker.accept()
    with accepted:
        time.sleep(0.5)
        assert_interrupted(ctrl_c(process), stderr)


@pytest.mark.kafka
@pytest.mark.parametrize("command", ["relay", "project"])
def test_ctrl_c_stops_a_running_relay_or_projector_with_130(command, env, settings, tmp_path):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 2)
    ledger.close()
    stderr = tmp_path / "stderr.log"
    process = start([command, "--health-port", "0"], env, stderr)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "health: http://" in line, stderr.read_text()
    # Past start-up: ready once the loop has run (the relay has published, or the projector
    # polled), however long a loaded machine takes to get there.
    wait_ready(line.split()[1].removesuffix(",").replace("/healthz", "/readyz"), process, stderr)
    assert_interrupted(ctrl_c(process), stderr)
