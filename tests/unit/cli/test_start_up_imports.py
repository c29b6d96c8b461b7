"""What a `ledger` start-up loads: the heavy libraries only for the commands that use them.

Whole-process timings are the benchmark's (`cli_help_ms`, `cli_partner_status_ms`); this checks
the behaviour behind them, which a stray top-level import would break without any test failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Print the top-level packages loaded by running `ledger ARGS`, whatever its exit code.
PROBE = """
import json, runpy, sys
sys.argv = ["ledger", *json.loads(sys.argv[1])]
try:
    runpy.run_module("cli.main", run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""

HEAVY = {"flask", "flask_smorest", "waitress", "sqlalchemy", "kafka", "marshmallow", "api"}


def loaded_by(*args: str, env: dict[str, str]) -> set[str]:
    finished = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    return set(json.loads(finished.stderr.strip().splitlines()[-1]))


@pytest.fixture
def empty_data_dir(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without its ledger settings, on an empty data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "KAFKA_"))}
    env["LEDGER_DATA_DIR"] = str(tmp_path)
    return env


def test_help_loads_no_library_of_any_command(empty_data_dir: dict[str, str]) -> None:
    assert loaded_by("--help", env=empty_data_dir) & HEAVY == set()


def test_a_noun_help_loads_no_library_either(empty_data_dir: dict[str, str]) -> None:
    assert loaded_by("partner", "--help", env=empty_data_dir) & HEAVY == set()


def test_partner_status_loads_the_database_but_not_the_web_or_kafka(
    empty_data_dir: dict[str, str],
) -> None:
    loaded = loaded_by("partner", "status", "nobody", env=empty_data_dir)
    assert "sqlalchemy" in loaded  # it did reach the query, not an early error
    assert loaded & {"flask", "flask_smorest", "waitress", "kafka", "api"} == set()


def test_only_version_reads_the_installed_metadata(empty_data_dir: dict[str, str]) -> None:
    # importlib.metadata loads the `email` package to parse METADATA: a mark of the lookup.
    assert "email" in loaded_by("--version", env=empty_data_dir)
    assert "email" not in loaded_by("--help", env=empty_data_dir)
