"""Starting the ledger's commands and the test workers as OS processes, and killing them.

Each process leads a session of its own, so that whatever it spawns (the relay's encoder
process) can be found, and reaped, through its process group once the leader is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from tests.fixtures.infrastructure import free_port

REPOSITORY = Path(__file__).resolve().parents[2]
EXIT_TIMEOUT_S = 60.0
# How long the rest of a killed process's group may take to notice and exit on its own.
ORPHAN_GRACE_S = 10.0


class ProcessFailed(AssertionError):
    """A process exited with an unexpected code; the message ends with its output."""


def process_env(ledger_env: Mapping[str, str]) -> dict[str, str]:
    """The test's settings only: the shell's own LEDGER_* and KAFKA_* must not leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env.update(ledger_env)
    return env


class Spawned:
    """One running process with its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        log_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=REPOSITORY,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def sigkill(self) -> None:
        """Kill the process itself (not its group): what a crash or the OOM killer does."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(EXIT_TIMEOUT_S)

    def terminate(self) -> int:
        """SIGTERM, the polite stop, and the exit code once it has stopped."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)
        return self.process.wait(EXIT_TIMEOUT_S)

    def finish(self, timeout_s: float = EXIT_TIMEOUT_S) -> str:
        """Wait for a normal exit; returns the output, raises ProcessFailed on a non-zero code."""
        code = self.process.wait(timeout_s)
        if code != 0:
            raise ProcessFailed(f"{self.name} exited with {code}:\n{self.output()}")
        return self.output()

    def expect_alive(self) -> None:
        if not self.alive:
            raise ProcessFailed(
                f"{self.name} exited by itself with {self.process.returncode}:\n{self.output()}"
            )

    def orphans_outlive(self, grace_s: float = ORPHAN_GRACE_S) -> bool:
        """After the leader died: does anything of its group outlive `grace_s`? (Then it is
        killed, so one leak does not pile up behind the next restarts.)"""
        deadline = time.monotonic() + grace_s
        while _group_exists(self.process.pid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                return True
            time.sleep(0.05)
        return False

    def wait_for_line(self, text: str, timeout_s: float) -> None:
        """Until the process's output holds `text` (a readiness line, say)."""
        deadline = time.monotonic() + timeout_s
        while text not in self.log.read_text(errors="replace"):
            self.expect_alive()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name} never printed {text!r} in {timeout_s:.0f} s:\n{self.output()}"
                )
            time.sleep(0.01)

    def output(self, last_lines: int = 40) -> str:
        text = self.log.read_text(errors="replace")
        return "\n".join(text.splitlines()[-last_lines:])

    def stop_everything(self) -> None:
        """Teardown: nothing this process started may outlive the test."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(EXIT_TIMEOUT_S)


def _group_exists(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Processes:
    """Spawns the ledger's commands and the workers for one test, and cleans up after it."""

    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.env = process_env(env)
        self.log_dir = log_dir
        self.spawned: list[Spawned] = []
        self._numbers: dict[str, int] = {}

    def ledger(
        self,
        *args: str,
        label: str | None = None,
        health: bool = False,
        named_client: bool = False,
    ) -> Spawned:
        """`ledger ARGS...` (the console script's module, with this interpreter); with
        `health`, on a health port of its own, as deployed: it then prints a readiness line
        (tests.faults.killing.READY_LINE) once started; with `named_client`, its Kafka client
        id is its name, so its consumer group membership can be found."""
        extra = {"LEDGER_HEALTH_PORT": str(free_port())} if health else {}
        return self._spawn(
            label or args[0], ["-m", "cli.main", *args], extra, named_client=named_client
        )

    def module(self, module: str, *args: str, label: str) -> Spawned:
        return self._spawn(label, ["-m", module, *args])

    def run_ledger(self, *args: str, label: str | None = None) -> str:
        """Run a `ledger` command to completion; returns its output."""
        return self.ledger(*args, label=label).finish()

    def _spawn(
        self,
        label: str,
        args: list[str],
        extra: Mapping[str, str] | None = None,
        *,
        named_client: bool = False,
    ) -> Spawned:
        number = self._numbers[label] = self._numbers.get(label, 0) + 1
        name = f"{label}-{number:02d}"
        env = {**self.env, **(extra or {})}
        if named_client:
            env["LEDGER_KAFKA_CLIENT_ID"] = name
        spawned = Spawned(name, [sys.executable, *args], env, self.log_dir)
        self.spawned.append(spawned)
        return spawned

    def stop_all(self) -> None:
        for spawned in self.spawned:
            spawned.stop_everything()
