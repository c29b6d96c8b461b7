"""Run a real Apache Kafka broker locally, without Docker.

The broker is the official ``kafka_2.13`` artifact from Maven Central, resolved once with Maven into
a cache outside the work tree, and started as a single KRaft node that is both broker and
controller, listening on 127.0.0.1 only. Its state (data, logs, generated ``server.properties``,
pid file) lives in one "home" directory, ``./var/kafka`` by default.

Command line::

    python -m infra.kafka.launcher up|down|status|fetch [--home DIR] [--port N]
                                                      [--controller-port N] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

KAFKA_VERSION = "4.3.1"

_KAFKA_ASSETS = Path(__file__).resolve().parent  # pom.xml and log4j2.xml live beside it
POM_PATH = _KAFKA_ASSETS / "pom.xml"
LOG4J_CONFIG_PATH = _KAFKA_ASSETS / "log4j2.xml"

_HOST = "127.0.0.1"
_NODE_ID = 1
_LOG_TAIL_LINES = 20
_POLL_INTERVAL_S = 0.25
_MAVEN_TIMEOUT_S = 900.0
_FORMAT_TIMEOUT_S = 120.0
_KILL_GRACE_S = 10.0

# Brokers started by this Python process (tests, `ledger` commands), kept so that they can be
# reaped once stopped, and so that Popen does not warn about children still running when it is
# garbage-collected: the broker outliving the launcher is the point.
_spawned_brokers: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class BrokerConfig:
    """Where one local broker keeps its state, where its jars are cached, and its ports."""

    home: Path
    cache_dir: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "512m"

    @property
    def bootstrap_servers(self) -> str:
        """The ``host:port`` clients connect to."""
        return f"{_HOST}:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "server.log"

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "broker.out"

    @property
    def properties_file(self) -> Path:
        return self.home / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"


class LauncherError(Exception):
    """Something the user has to fix; the message says what, in plain words."""


# --------------------------------------------------------------------------------------------
# Tools and artifacts
# --------------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Jar cache shared by every checkout: ``$LEDGER_KAFKA_CACHE`` or the XDG cache directory."""
    override = os.environ.get("LEDGER_KAFKA_CACHE")
    if override:
        return Path(override).expanduser()
    xdg_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg_cache).expanduser() / "channel-ledger" / "kafka"


def _find_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("java")
    if found:
        return found
    hint = f" (JAVA_HOME={java_home} has no bin/java either)" if java_home else ""
    raise LauncherError(
        f"Java not found on PATH{hint}: install a JDK 17 or newer "
        "(apt-get install openjdk-17-jre-headless)"
    )


def _find_maven() -> str:
    found = shutil.which("mvn")
    if found:
        return found
    raise LauncherError(
        "Maven (mvn) not found on PATH: it is needed once to download Kafka "
        f"{KAFKA_VERSION} from Maven Central (apt-get install maven)"
    )


def _pom_fingerprint() -> str:
    # Keyed on the pom's content so that adding a dependency re-resolves an existing cache.
    return hashlib.sha256(POM_PATH.read_bytes()).hexdigest()


def _last_lines(text: str, count: int = _LOG_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


def ensure_artifacts(cache_dir: Path) -> Path:
    """Return the directory of the broker's runtime jars, downloading them with Maven if needed.

    The marker file is written only after Maven succeeded, so an interrupted download is simply
    retried next time.
    """
    version_dir = cache_dir / KAFKA_VERSION
    libs_dir = version_dir / "libs"
    marker = version_dir / "resolved.sha256"
    fingerprint = _pom_fingerprint()
    if libs_dir.is_dir() and marker.is_file() and marker.read_text().strip() == fingerprint:
        return libs_dir

    mvn = _find_maven()
    print(
        f"Fetching Apache Kafka {KAFKA_VERSION} from Maven Central into {libs_dir} (one time)...",
        file=sys.stderr,
        flush=True,
    )
    version_dir.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    # Resolve into a private directory and swap it in at the end, so that a broker started
    # concurrently never sees a half-filled classpath.
    staging_dir = version_dir / f"libs.partial-{os.getpid()}"
    shutil.rmtree(staging_dir, ignore_errors=True)
    _run_maven_copy_dependencies(mvn, staging_dir)
    shutil.rmtree(libs_dir, ignore_errors=True)
    staging_dir.rename(libs_dir)
    marker.write_text(fingerprint + "\n")
    return libs_dir


def _run_maven_copy_dependencies(mvn: str, output_dir: Path) -> None:
    command = [
        mvn, "-q", "-B", "-f", str(POM_PATH),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={output_dir}",
        "-DincludeScope=runtime",
    ]  # fmt: skip
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_MAVEN_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(output_dir, ignore_errors=True)
        raise LauncherError(
            f"Maven did not finish resolving Kafka {KAFKA_VERSION} within "
            f"{_MAVEN_TIMEOUT_S:.0f}s; is Maven Central reachable?"
        ) from exc
    if result.returncode != 0:
        shutil.rmtree(output_dir, ignore_errors=True)
        raise LauncherError(
            f"Maven could not resolve Kafka {KAFKA_VERSION} (exit {result.returncode}):\n"
            + _last_lines(result.stdout + result.stderr)
        )


# --------------------------------------------------------------------------------------------
# Processes and ports
# --------------------------------------------------------------------------------------------


def _read_pid(config: BrokerConfig) -> int | None:
    try:
        return int(config.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _is_alive(pid: int) -> bool:
    child = _spawned_brokers.get(pid)
    if child is not None:
        # Our own child must be reaped through its Popen, or it lingers as a zombie that kill(0)
        # still reports as existing.
        if child.poll() is None:
            return True
        del _spawned_brokers[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        # The state letter follows the parenthesised command name, which may contain spaces.
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _runs_our_broker(pid: int, config: BrokerConfig) -> bool:
    # Guards against a stale pid file whose number now belongs to an unrelated process (after a
    # reboot, say). Without /proc (macOS) we cannot tell and trust the pid file.
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True
    return b"kafka.Kafka" in args and str(config.properties_file.resolve()).encode() in args


def _running_pid(config: BrokerConfig) -> int | None:
    pid = _read_pid(config)
    if pid is not None and _is_alive(pid) and _runs_our_broker(pid, config):
        return pid
    return None


def _port_answers(port: int, timeout_s: float = 1.0) -> bool:
    try:
        with socket.create_connection((_HOST, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def _port_is_free(port: int) -> bool:
    # Binding (as the broker will) also catches listeners on 0.0.0.0; SO_REUSEADDR, which the JVM
    # sets too, keeps sockets lingering in TIME_WAIT from a just-stopped broker from counting.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((_HOST, port))
        except OSError:
            return False
    return True


def _require_free_ports(config: BrokerConfig) -> None:
    for name, port, option in (
        ("client", config.port, "--port / LEDGER_KAFKA_PORT"),
        ("controller", config.controller_port, "--controller-port / LEDGER_KAFKA_CONTROLLER_PORT"),
    ):
        if not _port_is_free(port):
            raise LauncherError(
                f"{_HOST}:{port} (Kafka {name} port) is already in use by another process, not "
                f"by the broker managed from {config.home}; stop that process or choose another "
                f"port with {option}"
            )


def _broker_accepts_requests(bootstrap_servers: str) -> bool:
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            client_id="channel-ledger-launcher",
            request_timeout_ms=3000,
            bootstrap_timeout_ms=3000,
        )
    except (KafkaError, OSError):
        return False
    try:
        cluster = admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def _recent_logs(config: BrokerConfig) -> str:
    sections = []
    for log_file in (config.console_log, config.server_log):
        try:
            tail = _last_lines(log_file.read_text(errors="replace"))
        except OSError:
            continue
        if tail:
            sections.append(f"--- last lines of {log_file} ---\n{tail}")
    return "\n".join(sections) or f"(no log output in {config.logs_dir})"


def _wait_until_ready(config: BrokerConfig, pid: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _is_alive(pid):
            config.pid_file.unlink(missing_ok=True)
            raise LauncherError(f"Kafka exited during startup (pid {pid}).\n{_recent_logs(config)}")
        # A plain TCP check first keeps kafka-python from logging connection errors while the
        # JVM is still booting.
        if _port_answers(config.port) and _broker_accepts_requests(config.bootstrap_servers):
            return
        time.sleep(_POLL_INTERVAL_S)
    stop(config)
    raise LauncherError(
        f"Kafka did not accept requests on {config.bootstrap_servers} within {timeout_s:g}s, "
        f"so it was stopped.\n{_recent_logs(config)}"
    )


# --------------------------------------------------------------------------------------------
# Broker setup
# --------------------------------------------------------------------------------------------


def _render_server_properties(config: BrokerConfig) -> str:
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(_NODE_ID),
        "controller.quorum.voters": f"{_NODE_ID}@{_HOST}:{config.controller_port}",
        "listeners": f"PLAINTEXT://{_HOST}:{config.port},CONTROLLER://{_HOST}:{config.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{_HOST}:{config.port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(config.data_dir.resolve()),
        "num.partitions": "1",
        # The ledger declares its own topics; a typo must fail loudly, not create a new topic.
        "auto.create.topics.enable": "false",
        # A single node cannot host more than one replica of anything, internal topics included.
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Nobody else will join: do not make the first consumer wait for more group members.
        "group.initial.rebalance.delay.ms": "0",
    }
    header = (
        f"# Generated by infra/kafka/launcher.py for Kafka {KAFKA_VERSION}; rewritten on every "
        "start, edit the launcher instead.\n"
    )
    return header + "".join(f"{key}={value}\n" for key, value in settings.items())


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64 (also used by the test containers)."""
    # Kafka's own generator rejects ids starting with "-" (they read as command-line options).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not cluster_id.startswith("-"):
            return cluster_id


def _java_command(
    java: str, libs_dir: Path, config: BrokerConfig, main_class: str, *args: str
) -> list[str]:
    return [
        java,
        f"-Xmx{config.heap}",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J_CONFIG_PATH}",
        f"-Dkafka.logs.dir={config.logs_dir.resolve()}",
        "-cp",
        str(libs_dir / "*"),
        main_class,
        *args,
    ]


def _format_storage_if_needed(java: str, libs_dir: Path, config: BrokerConfig) -> None:
    if (config.data_dir / "meta.properties").exists():
        return
    command = _java_command(
        java, libs_dir, config, "kafka.tools.StorageTool",
        "format", "-t", new_cluster_id(), "-c", str(config.properties_file.resolve()),
    )  # fmt: skip
    result = subprocess.run(
        command,
        cwd=config.home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=_FORMAT_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise LauncherError(
            f"formatting Kafka storage in {config.data_dir} failed (exit {result.returncode}):\n"
            + _last_lines(result.stdout + result.stderr)
        )


def _spawn_broker(java: str, libs_dir: Path, config: BrokerConfig) -> int:
    command = _java_command(
        java, libs_dir, config, "kafka.Kafka", str(config.properties_file.resolve())
    )
    with config.console_log.open("wb") as console:
        # A new session detaches the broker from our terminal and lets `down` signal its group.
        process = subprocess.Popen(
            command,
            cwd=config.home,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _spawned_brokers[process.pid] = process
    config.pid_file.write_text(f"{process.pid}\n")
    return process.pid


# --------------------------------------------------------------------------------------------
# Public operations
# --------------------------------------------------------------------------------------------


def start(config: BrokerConfig, timeout_s: float = 90) -> bool:
    """Start the broker and wait until it accepts requests.

    Returns True if a broker was started, False if one from ``config.home`` was already running.
    ``timeout_s`` bounds the wait for the broker itself, not the one-time download of its jars.
    Raises LauncherError if Java or Maven is missing, a port is taken by something else, or the
    broker dies or stays unresponsive (the message then ends with its latest log lines).
    """
    pid = _running_pid(config)
    if pid is not None:
        return _adopt_running_broker(config, pid, timeout_s)
    config.pid_file.unlink(missing_ok=True)

    java = _find_java()
    _require_free_ports(config)
    libs_dir = ensure_artifacts(config.cache_dir)
    for directory in (config.home, config.data_dir, config.logs_dir):
        directory.mkdir(parents=True, exist_ok=True)
    config.properties_file.write_text(_render_server_properties(config))
    _format_storage_if_needed(java, libs_dir, config)

    pid = _spawn_broker(java, libs_dir, config)
    _wait_until_ready(config, pid, timeout_s)
    return True


def _adopt_running_broker(config: BrokerConfig, pid: int, timeout_s: float) -> bool:
    try:
        current = config.properties_file.read_text()
    except OSError:
        current = ""
    if current != _render_server_properties(config):
        raise LauncherError(
            f"a broker from {config.home} is already running (pid {pid}) with other settings "
            "(ports?); stop it first with `python -m infra.kafka.launcher down`"
        )
    # It may still be booting, e.g. started a moment ago by a concurrent `up`.
    _wait_until_ready(config, pid, timeout_s)
    return False


def stop(config: BrokerConfig, timeout_s: float = 60) -> bool:
    """Stop the broker: SIGTERM for a clean shutdown, SIGKILL if it outlives ``timeout_s``.

    Returns False if no broker from ``config.home`` was running.
    """
    pid = _running_pid(config)
    if pid is None:
        config.pid_file.unlink(missing_ok=True)
        return False
    _signal_broker(pid, signal.SIGTERM)
    if not _wait_for_exit(pid, timeout_s):
        _signal_broker(pid, signal.SIGKILL)
        if not _wait_for_exit(pid, _KILL_GRACE_S):
            raise LauncherError(f"Kafka (pid {pid}) survived SIGKILL; check it by hand")
    config.pid_file.unlink(missing_ok=True)
    return True


def _signal_broker(pid: int, signum: signal.Signals) -> None:
    try:
        # The broker leads its own process group (start_new_session); signalling the group also
        # reaches anything it may have spawned.
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _wait_for_exit(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while _is_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_INTERVAL_S)
    return True


def status(config: BrokerConfig) -> str:
    """One line for humans: ``running (pid N) on 127.0.0.1:PORT`` or ``stopped``."""
    pid = _running_pid(config)
    if pid is None:
        return "stopped"
    line = f"running (pid {pid}) on {config.bootstrap_servers}"
    if not _port_answers(config.port):
        line += ", not accepting connections yet"
    return line


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _default_home() -> Path:
    # Same default as infra.settings, so the CLI and the application agree on where the broker is.
    explicit = os.environ.get("LEDGER_KAFKA_HOME")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("LEDGER_DATA_DIR") or "var") / "kafka"


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m infra.kafka.launcher",
        description=f"Run a local Apache Kafka {KAFKA_VERSION} broker (KRaft) without Docker.",
    )
    parser.add_argument(
        "command",
        choices=("up", "down", "status", "fetch"),
        help="up: start and wait until ready; down: stop; status: show state; "
        "fetch: only download the broker's jars",
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=_default_home(),
        help="state directory (data, logs, pid file); env LEDGER_KAFKA_HOME, "
        "default $LEDGER_DATA_DIR/kafka or var/kafka",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get("LEDGER_KAFKA_PORT") or 9092,
        help="client port on 127.0.0.1; env LEDGER_KAFKA_PORT, default 9092",
    )
    parser.add_argument(
        "--controller-port",
        type=int,
        default=os.environ.get("LEDGER_KAFKA_CONTROLLER_PORT") or None,
        help="KRaft controller port on 127.0.0.1; env LEDGER_KAFKA_CONTROLLER_PORT, "
        "default client port + 1",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where the jars are cached; env LEDGER_KAFKA_CACHE, "
        "default ~/.cache/channel-ledger/kafka",
    )
    return parser.parse_args(argv)


def _command_up(config: BrokerConfig) -> int:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        print(f"KAFKA_BOOTSTRAP_SERVERS is set ({external}): using that broker, starting nothing")
        return 0
    started = start(config)
    state = "running" if started else "already running"
    print(
        f"Kafka {KAFKA_VERSION} {state} on {config.bootstrap_servers} (logs: {config.server_log})"
    )
    return 0


def _command_down(config: BrokerConfig) -> int:
    print("Kafka stopped" if stop(config) else "Kafka was not running")
    return 0


def _command_status(config: BrokerConfig) -> int:
    print(status(config))
    return 0


def _command_fetch(config: BrokerConfig) -> int:
    print(ensure_artifacts(config.cache_dir))
    return 0


_COMMANDS: dict[str, Callable[[BrokerConfig], int]] = {
    "up": _command_up,
    "down": _command_down,
    "status": _command_status,
    "fetch": _command_fetch,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m infra.kafka.launcher``; returns the process exit code."""
    args = _parse_args(argv)
    config = BrokerConfig(
        home=args.home,
        cache_dir=args.cache_dir or default_cache_dir(),
        port=args.port,
        controller_port=args.controller_port or args.port + 1,
    )
    try:
        return _COMMANDS[args.command](config)
    except LauncherError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
