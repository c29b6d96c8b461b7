"""The local broker launcher: a real Kafka from Maven Central, started, used and stopped."""

from __future__ import annotations

import shutil
import socket
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from infra.kafka import launcher as kafka_launcher
from infra.kafka.launcher import (
    KAFKA_VERSION,
    POM_PATH,
    BrokerConfig,
    LauncherError,
    default_cache_dir,
    ensure_artifacts,
    start,
    status,
    stop,
)


def _free_ports(count: int) -> list[int]:
    # All sockets stay open until every port is picked, so the OS cannot hand out one twice.
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


@pytest.fixture
def broker_config(tmp_path: Path) -> Iterator[BrokerConfig]:
    port, controller_port = _free_ports(2)
    config = BrokerConfig(
        home=tmp_path / "kafka",
        cache_dir=default_cache_dir(),
        port=port,
        controller_port=controller_port,
    )
    yield config
    # Whatever the test did, no broker outlives it.
    stop(config, timeout_s=30)


def _round_trip(bootstrap_servers: str) -> bytes:
    topic = f"launcher-test-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        admin.create_topics(
            {topic: {"num_partitions": 1, "replication_factor": 1}}, wait_for_metadata=True
        )
    finally:
        admin.close()

    producer = KafkaProducer(bootstrap_servers=bootstrap_servers)
    try:
        producer.send(topic, key=b"k", value=b"hello ledger").get(timeout=30)
    finally:
        producer.close()

    # A consumer group exercises __consumer_offsets, whose replication factor must fit one node.
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"{topic}-reader",
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    try:
        message = next(iter(consumer))
    finally:
        consumer.close()
    value: bytes = message.value
    return value


@pytest.mark.kafka
def test_broker_starts_once_serves_clients_and_stops(broker_config: BrokerConfig) -> None:
    assert start(broker_config) is True
    assert start(broker_config) is False, "a second start must notice the running broker"
    assert status(broker_config).startswith("running (pid ")
    assert status(broker_config).endswith(f"on 127.0.0.1:{broker_config.port}")

    assert _round_trip(broker_config.bootstrap_servers) == b"hello ledger"

    assert stop(broker_config) is True
    assert _refuses_connections(broker_config.port)
    assert status(broker_config) == "stopped"
    assert not broker_config.pid_file.exists()
    assert stop(broker_config) is False


def test_missing_java_is_reported_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)
    port, controller_port = _free_ports(2)
    config = BrokerConfig(
        home=tmp_path / "kafka",
        cache_dir=tmp_path / "cache",
        port=port,
        controller_port=controller_port,
    )

    with pytest.raises(LauncherError, match="Java not found"):
        start(config)


def test_missing_maven_is_reported_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)

    with pytest.raises(LauncherError, match="Maven"):
        ensure_artifacts(tmp_path / "empty-cache")


def test_port_taken_by_another_process_is_reported(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        (controller_port,) = _free_ports(1)
        config = BrokerConfig(
            home=tmp_path / "kafka",
            cache_dir=tmp_path / "cache",
            port=squatter.getsockname()[1],
            controller_port=controller_port,
        )

        with pytest.raises(LauncherError, match="already in use by another process"):
            start(config)


def test_version_constant_matches_the_pom() -> None:
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    pom_version = (
        ET.parse(POM_PATH).getroot().findtext("m:properties/m:kafka.version", namespaces=namespace)
    )
    assert pom_version == KAFKA_VERSION


def test_cli_up_starts_nothing_when_an_external_broker_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker.example:9092")

    exit_code = kafka_launcher.main(["up", "--home", str(tmp_path / "kafka")])

    assert exit_code == 0
    assert "starting nothing" in capsys.readouterr().out
    assert not (tmp_path / "kafka").exists()


def test_cli_reports_launcher_errors_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)
    port, controller_port = _free_ports(2)

    exit_code = kafka_launcher.main(
        ["up", "--home", str(tmp_path / "kafka"), "--port", str(port),
         "--controller-port", str(controller_port)]
    )  # fmt: skip

    assert exit_code == 1
    assert capsys.readouterr().err.startswith("error: Java not found")
