"""Whole-process start-up of the `ledger` command: what a script calling it many times pays.

Each sample is one `ledger ...` process, from spawn to exit, as a shell would run it: the
interpreter's start, the imports, the work and the exit. One untimed run first, so the page
cache holds the interpreter and the packages (a script's second call finds them there too).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measurements import BenchmarkError

SAMPLES = 10
# A partner the seed scenario always enrols (infra.scenario.roster), so its status is a real
# one-row answer read from the projections, not a "no such partner" error.
KNOWN_PARTNER = "antemeta"


@dataclass(frozen=True)
class StartupTimes:
    help_ms: float
    partner_status_ms: float
    samples: int


def ledger_command() -> list[str]:
    """The installed console script beside this interpreter, else the module it runs."""
    script = Path(sys.executable).with_name("ledger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def median_process_ms(argv: Sequence[str], environment: Mapping[str, str], samples: int) -> float:
    """Median wall time of `samples` runs of `argv`, after one untimed run; each must exit 0."""
    times: list[float] = []
    for number in range(samples + 1):
        started = time.perf_counter()
        finished = subprocess.run(argv, env=dict(environment), capture_output=True, check=False)
        elapsed = (time.perf_counter() - started) * 1000
        if finished.returncode != 0:
            raise BenchmarkError(
                f"`{' '.join(argv)}` exited {finished.returncode}: "
                f"{finished.stderr.decode(errors='replace').strip()[-400:]}"
            )
        if number:
            times.append(elapsed)
    return round(statistics.median(times), 1)


def measure_cli_startup(environment: Mapping[str, str], samples: int = SAMPLES) -> StartupTimes:
    """`ledger --help`, and `ledger partner status` of a seeded partner on the projections
    `environment` points at (they must already hold the seed scenario)."""
    command = ledger_command()
    env = {**os.environ, **environment}
    return StartupTimes(
        help_ms=median_process_ms([*command, "--help"], env, samples),
        partner_status_ms=median_process_ms(
            [*command, "partner", "status", KNOWN_PARTNER], env, samples
        ),
        samples=samples,
    )
