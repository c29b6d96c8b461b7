"""docker-compose.yml cannot drift from the code: the compose tool checks the file itself, and its
services' commands and settings are checked against the CLI and infra/settings.py.

`docker-compose config` (Debian's docker-compose) validates and resolves the file without a
Docker engine. It is required in CI (LEDGER_REQUIRE_COMPOSE=1); elsewhere these tests skip
without it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from cli.main import build_parser
from infra.settings import Settings
from infra.tokens import token_source
from tests.fixtures.required import program

ROOT = Path(__file__).resolve().parents[3]


def compose(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    tool = program(
        "docker-compose",
        "LEDGER_REQUIRE_COMPOSE",
        "no docker-compose (apt-get install docker-compose)",
    )
    return subprocess.run(
        [tool, "--file", "docker-compose.yml", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    """The services as the compose tool resolves them (anchors merged, values normalised)."""
    result = compose("config")
    assert result.returncode == 0, result.stderr
    resolved: dict[str, Any] = yaml.safe_load(result.stdout)["services"]
    return resolved


def ledger_services(services: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The services that run the ledger's own image (built from the Dockerfile)."""
    for name, service in services.items():
        if "build" in service:
            yield name, service


class ReadNames(dict[str, str]):
    """An environment that records every name the code looks up in it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)


def read_settings(environment: Mapping[str, str]) -> tuple[Settings, set[str]]:
    """The settings a ledger process builds from `environment`, and the names it reads."""
    env = ReadNames(environment)
    settings = Settings.from_env(env)
    token_source(settings, env)
    return settings, env.read


def test_the_compose_tool_accepts_the_file() -> None:
    result = compose("config", "--quiet")
    assert result.returncode == 0, result.stderr


def test_the_compose_tool_refuses_a_broken_copy(tmp_path: Path) -> None:
    # The check above can fail: the same tool, on the file with a misspelt service key.
    broken = (
        (ROOT / "docker-compose.yml").read_text().replace("    healthcheck:", "    healtcheck:", 1)
    )
    (tmp_path / "docker-compose.yml").write_text(broken)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = compose("config", "--quiet", cwd=tmp_path)
    assert result.returncode != 0
    assert "healtcheck" in result.stderr


def test_every_ledger_service_runs_a_command_the_cli_accepts(services: dict[str, Any]) -> None:
    parser = build_parser()
    commands = {name: service.get("command") for name, service in ledger_services(services)}
    assert set(commands) == {"relay", "projector", "api", "cli"}
    for name, command in commands.items():
        if command is not None:  # `cli` takes its command from `docker compose run`
            args = parser.parse_args(command)
            assert callable(args.handler), f"{name}: {command} names no command"


def test_every_ledger_setting_in_the_file_is_one_the_code_reads(services: dict[str, Any]) -> None:
    for name, service in ledger_services(services):
        environment = {key: str(value) for key, value in service["environment"].items()}
        _, read = read_settings(environment)
        unknown = set(environment) - read
        assert not unknown, f"{name} sets {sorted(unknown)}, which no setting reads"


def test_the_ledger_reaches_the_kafka_and_postgres_services_as_they_are_set_up(
    services: dict[str, Any],
) -> None:
    kafka = services["kafka"]["environment"]
    advertised = dict(
        entry.split("://", 1) for entry in kafka["KAFKA_ADVERTISED_LISTENERS"].split(",")
    )
    internal = advertised[kafka["KAFKA_INTER_BROKER_LISTENER_NAME"]]
    postgres = services["postgres"]["environment"]
    for name, service in ledger_services(services):
        settings, _ = read_settings(service["environment"])
        assert settings.kafka_bootstrap_servers == internal, name
        url = urlsplit(settings.event_store_url)
        assert (url.hostname, url.port) == ("postgres", 5432), name
        assert (url.username, url.password) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
        ), name
        assert url.path == f"/{postgres['POSTGRES_DB']}", name
        assert settings.projections_url == settings.event_store_url, name


def test_health_checks_ask_the_port_each_process_serves(services: dict[str, Any]) -> None:
    parser = build_parser()
    for name in ("relay", "projector"):
        service = services[name]
        settings, _ = read_settings(service["environment"])
        probe = " ".join(service["healthcheck"]["test"])
        assert f"http://{settings.health_host}:{settings.health_port}/readyz" in probe, name
    api = services["api"]
    args = parser.parse_args(api["command"])
    assert f"http://127.0.0.1:{args.port}/readyz" in " ".join(api["healthcheck"]["test"])
    assert any(str(port).endswith(f":{args.port}/tcp") for port in api["ports"])


def test_every_published_port_is_on_the_hosts_loopback_only(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
