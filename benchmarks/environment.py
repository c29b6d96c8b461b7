"""The infrastructure one benchmark run uses: a broker, an event store, isolated names.

Everything is private to the run (a directory of its own, fresh topic prefixes and consumer
groups), so a run never reads what an earlier run or a developer's ``var/`` left behind. The
directory is under ``var/bench/`` (``BENCH_DATA_DIR`` to choose another place), where the
ledger keeps its data by default: on disk, not under the temp directory, which may be a
memory-backed file system and would flatter every store.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from infra.kafka.launcher import KAFKA_VERSION, BrokerConfig, default_cache_dir, start, stop
from infra.settings import Settings

REPOSITORY = Path(__file__).resolve().parent.parent


class BrokerUnreachable(RuntimeError):
    """KAFKA_BOOTSTRAP_SERVERS names a broker that does not answer."""


@dataclass(frozen=True)
class Broker:
    bootstrap_servers: str
    version: str


@dataclass(frozen=True)
class Workspace:
    """Names and places of one run; `settings_for` derives one role's isolated Settings."""

    run_id: str
    data_dir: Path
    event_store_url: str
    bootstrap_servers: str
    base_env: Mapping[str, str]

    @property
    def store_kind(self) -> str:
        return "postgresql" if self.event_store_url.startswith("postgres") else "sqlite"

    def settings_for(self, role: str, *, reading: str | None = None) -> Settings:
        """Settings whose consumer group and projection DB belong to `role` alone.

        The topics are the role's own too, unless `reading` names the role whose topics it
        consumes (a projector reads what a relay round published).
        """
        return Settings.from_env(self.environment_for(role, reading=reading))

    def environment_for(self, role: str, *, reading: str | None = None) -> dict[str, str]:
        """The environment variables behind `settings_for(role)`, for a `ledger` subprocess."""
        env = dict(self.base_env)
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
                "LEDGER_DATA_DIR": str(self.data_dir),
                "LEDGER_EVENT_STORE_URL": self.event_store_url,
                # Projections always go to a fresh SQLite file, even when the store is PostgreSQL,
                # so each projector round starts from an empty table and no stored offsets.
                "LEDGER_PROJECTIONS_URL": f"sqlite:///{self.data_dir / f'{role}.sqlite'}",
                "LEDGER_TOPIC_PREFIX": f"bench-{self.run_id}-{reading or role}",
                "LEDGER_PROJECTOR_GROUP": f"bench-{self.run_id}-{role}",
                # One store relayed to many prefixes: one CloudEvents source for all of them
                # (the default follows the prefix), or no two rounds would write the same bytes.
                "LEDGER_CLOUDEVENTS_SOURCE": f"/channel-ledger/bench-{self.run_id}",
                # Likewise one Merkle log origin (and one signing key, in the data directory):
                # signed checkpoints are deterministic, so rounds write the same bytes.
                "LEDGER_LOG_ORIGIN": f"channel-ledger/bench-{self.run_id}",
            }
        )
        return env

    def fresh_sqlite_settings(self, role: str) -> Settings:
        """`settings_for(role)`, with an event store of its own: a new SQLite file."""
        store = f"sqlite:///{self.data_dir / f'{role}-events.sqlite'}"
        return replace(self.settings_for(role), event_store_url=store)


def new_workspace(data_dir: Path, bootstrap_servers: str, environ: Mapping[str, str]) -> Workspace:
    # The caller's LEDGER_* tuning (partitions, relay batch size, ...) is kept; only the
    # isolating names are overridden in `settings_for`.
    store_url = environ.get("BENCH_DATABASE_URL", "").strip()
    return Workspace(
        run_id=uuid.uuid4().hex[:8],
        data_dir=data_dir,
        event_store_url=store_url or f"sqlite:///{data_dir / 'events.sqlite'}",
        bootstrap_servers=bootstrap_servers,
        base_env=dict(environ),
    )


@contextmanager
def data_directory(environ: Mapping[str, str]) -> Iterator[Path]:
    """A directory of the run's own under BENCH_DATA_DIR (default var/bench), removed after."""
    parent = Path(environ.get("BENCH_DATA_DIR", "").strip() or REPOSITORY / "var" / "bench")
    directory = parent.resolve() / f"run-{uuid.uuid4().hex[:8]}"
    directory.mkdir(parents=True)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def filesystem_of(path: Path) -> str:
    """The type of the file system `path` lives on (its longest mount point in /proc/mounts),
    with the device, e.g. "ext4 on /dev/sda1"; "unknown" where /proc/mounts is missing."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    resolved = str(path.resolve())
    best = ("", "unknown", "")
    for line in mounts:
        device, point, kind = line.split()[:3]
        point = point.replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best[0]):
            best = (point, kind, device)
    return f"{best[1]} on {best[2]}" if best[2] else best[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def kafka_broker(home: Path, environ: Mapping[str, str] = os.environ) -> Iterator[Broker]:
    """The configured broker, or a private one on free loopback ports for the run's duration."""
    external = environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        yield Broker(external, external_broker_version(external))
        return
    config = BrokerConfig(
        home=home, cache_dir=default_cache_dir(), port=free_port(), controller_port=free_port()
    )
    try:
        start(config)
        yield Broker(config.bootstrap_servers, KAFKA_VERSION)
    finally:
        stop(config)  # a no-op when start failed before spawning anything


def external_broker_version(bootstrap_servers: str) -> str:
    """Kafka's version as kafka-python infers it from the broker's supported API versions.

    Also the early check that the broker answers at all, before minutes of filling the store.
    """
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)
    except (KafkaError, OSError):
        raise BrokerUnreachable(
            f"no Kafka broker reachable at {bootstrap_servers}: check KAFKA_BOOTSTRAP_SERVERS "
            "(or unset it to let the benchmark start a private broker)"
        ) from None
    try:
        node_id = admin.describe_cluster()["brokers"][0]["broker_id"]
        version = admin.get_broker_version_data(node_id).broker_version
        return ".".join(str(part) for part in version) + " (inferred)"
    except (KafkaError, OSError, LookupError, TypeError, AttributeError):
        return "unknown"
    finally:
        admin.close()
