"""The CLI never prints a database password, whatever goes wrong with the URL that carries it.

Each command runs as a user runs it (its own process, output unfiltered, tracebacks included)
against PostgreSQL URLs whose password is distinctive, so a leak cannot hide behind a common word.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.fixtures.password_sweep import watch_password

PASSWORD = "q7Zt3vKp9WmX2rLd"  # made up: looked for in the output

COMMANDS = [
    ["partner", "status"],
    ["partner", "enroll", "acme", "--name", "Acme", "--legacy-tier", "gold",
     "--enrolled-on", "2010-11-02"],
    ["relay", "--once"],
]  # fmt: skip


def run_ledger(argv: list[str], database_url: str, tmp_path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "LEDGER_DATA_DIR": str(tmp_path),
        "LEDGER_DATABASE_URL": database_url,
        # Nothing listens here: a command that gets as far as Kafka fails at once.
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture(autouse=True)
def swept() -> None:
    # A failing assert below would show the output: the sweep then shows *** in its place.
    watch_password(PASSWORD)


# A query reads the projections (SQLAlchemy's error, traceback and all); a command opens the
# event store (its pool gives up after 30 s, so one command stands for the writing ones).
@pytest.mark.postgres
@pytest.mark.parametrize("argv", COMMANDS[:2], ids=lambda argv: " ".join(argv[:2]))
def test_a_refused_password_is_not_printed(argv, postgres_admin_url, tmp_path):
    result = run_ledger(argv, with_password(postgres_admin_url, PASSWORD), tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip(), "the failure went unexplained"
    assert PASSWORD not in result.stdout + result.stderr


@pytest.mark.parametrize("argv", COMMANDS[1:], ids=lambda argv: " ".join(argv[:2]))
def test_a_url_naming_no_database_is_refused_without_its_password(argv, tmp_path):
    url = f"postgresql://ledger:{PASSWORD}@127.0.0.1:5432"
    result = run_ledger(argv, url, tmp_path)
    assert result.returncode == 2
    assert "postgresql://ledger:***@127.0.0.1:5432 names no database" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


@pytest.mark.parametrize("argv", COMMANDS[1:], ids=lambda argv: " ".join(argv[:2]))
def test_an_unsupported_url_is_refused_without_its_password(argv, tmp_path):
    result = run_ledger(argv, f"mysql://ledger:{PASSWORD}@127.0.0.1/ledger", tmp_path)
    assert result.returncode == 2
    assert "unsupported database URL mysql://ledger:***@127.0.0.1/ledger" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
