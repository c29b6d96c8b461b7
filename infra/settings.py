"""All configuration, read once from the environment at start-up.

Defaults run on a laptop with nothing configured: SQLite files under ``./var`` and a local
broker on 127.0.0.1:9092 that ``make kafka-up`` (or ``ledger up``) starts. Production sets
``LEDGER_DATABASE_URL`` (PostgreSQL) and ``KAFKA_BOOTSTRAP_SERVERS``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    event_store_url: str
    projections_url: str
    kafka_bootstrap_servers: str
    kafka_is_external: bool
    kafka_port: int
    kafka_controller_port: int
    kafka_home: Path
    topic_prefix: str
    topic_partitions: int
    topic_replication_factor: int
    projector_group: str
    relay_batch_size: int
    postgres_lock_timeout_s: int
    # "process": the relay encodes in a child process while it sends; "inline": one process.
    relay_encoder: str = "process"
    # Signs the dashboard's session cookie; unset: a random key per API process, so sessions
    # end when it restarts and several API processes need the same key set.
    dashboard_secret: str | None = None
    # Behind TLS the dashboard's cookie should travel over HTTPS only.
    dashboard_secure_cookie: bool = False
    # "token": GET /metrics needs an ops bearer token; "none": open, for a scraper on a
    # private network.
    metrics_auth: str = "token"
    # `ledger relay | project | up` serve /healthz, /readyz and /metrics here when a port is
    # set; ready means the loop made progress within `health_stale_after_s`.
    health_host: str = "127.0.0.1"
    health_port: int | None = None
    health_stale_after_s: int = 30
    # The projector's Kafka client id, so a group's members can be told apart (in
    # kafka-consumer-groups --describe, and by the fault tests); unset: kafka-python's default.
    kafka_client_id: str | None = None
    # The largest request body the HTTP API reads; a larger one is refused (413) unread.
    api_max_body_bytes: int = 1024 * 1024
    # The CloudEvents `source` (a URI reference) on every published event; unset:
    # /channel-ledger/<topic prefix> (infra.relay.cloudevents).
    cloudevents_source: str | None = None
    # The Merkle log (infra.log_keys): the checkpoints' origin line (unset:
    # channel-ledger/<topic prefix>), the relay's signer key string or the file holding it,
    # and verifier keys of earlier (rotated) log keys that auditors still trust.
    log_origin: str | None = None
    log_signing_key: str | None = None
    log_signing_key_file: Path = Path("var/log-signing.key")
    log_verifier_keys: tuple[str, ...] = ()
    # How long a command's request key (Idempotency-Key, --request-id) is remembered: a retry
    # within it gets the first answer, after it the key may be used afresh.
    request_retention_hours: int = 24

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("LEDGER_DATA_DIR", "var"))
        database_url = env.get("LEDGER_DATABASE_URL")
        kafka_port = _int(env, "LEDGER_KAFKA_PORT", 9092)
        external_kafka = env.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
        return cls(
            data_dir=data_dir,
            event_store_url=env.get(
                "LEDGER_EVENT_STORE_URL", database_url or f"sqlite:///{data_dir / 'events.sqlite'}"
            ),
            projections_url=env.get(
                "LEDGER_PROJECTIONS_URL",
                database_url or f"sqlite:///{data_dir / 'projections.sqlite'}",
            ),
            kafka_bootstrap_servers=external_kafka or f"127.0.0.1:{kafka_port}",
            kafka_is_external=bool(external_kafka),
            kafka_port=kafka_port,
            kafka_controller_port=_int(env, "LEDGER_KAFKA_CONTROLLER_PORT", kafka_port + 1),
            kafka_home=Path(env.get("LEDGER_KAFKA_HOME", str(data_dir / "kafka"))),
            topic_prefix=env.get("LEDGER_TOPIC_PREFIX", "ledger"),
            topic_partitions=_int(env, "LEDGER_TOPIC_PARTITIONS", 6),
            topic_replication_factor=_int(env, "LEDGER_TOPIC_REPLICATION_FACTOR", 1),
            projector_group=env.get("LEDGER_PROJECTOR_GROUP", "ledger-projector"),
            relay_batch_size=_int(env, "LEDGER_RELAY_BATCH_SIZE", 2000),
            postgres_lock_timeout_s=_int(env, "LEDGER_POSTGRES_LOCK_TIMEOUT_S", 5),
            relay_encoder=_choice(env, "LEDGER_RELAY_ENCODER", ("process", "inline")),
            dashboard_secret=env.get("LEDGER_DASHBOARD_SECRET") or None,
            dashboard_secure_cookie=_choice(
                env, "LEDGER_DASHBOARD_SECURE_COOKIE", ("false", "true")
            )
            == "true",
            metrics_auth=_choice(env, "LEDGER_METRICS_AUTH", ("token", "none")),
            health_host=env.get("LEDGER_HEALTH_HOST") or "127.0.0.1",
            health_port=_int(env, "LEDGER_HEALTH_PORT", 0) or None,
            health_stale_after_s=_int(env, "LEDGER_HEALTH_STALE_AFTER_S", 30),
            kafka_client_id=env.get("LEDGER_KAFKA_CLIENT_ID") or None,
            api_max_body_bytes=_int(env, "LEDGER_API_MAX_BODY_BYTES", 1024 * 1024),
            cloudevents_source=_uri_reference(env, "LEDGER_CLOUDEVENTS_SOURCE"),
            log_origin=_origin(env, "LEDGER_LOG_ORIGIN"),
            log_signing_key=env.get("LEDGER_LOG_SIGNING_KEY") or None,
            log_signing_key_file=Path(
                env.get("LEDGER_LOG_SIGNING_KEY_FILE") or str(data_dir / "log-signing.key")
            ),
            log_verifier_keys=tuple(
                k for k in re.split(r"[\s,]+", env.get("LEDGER_LOG_VERIFIER_KEYS", "")) if k
            ),
            request_retention_hours=_int(env, "LEDGER_REQUEST_RETENTION_HOURS", 24),
        )


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; the first is the default."""
    raw = env.get(name) or choices[0]
    if raw not in choices:
        raise SettingsError(f"{name}={raw!r} must be one of {', '.join(choices)}")
    return raw


def _uri_reference(env: Mapping[str, str], name: str) -> str | None:
    """A URI reference, or None when unset. Only what a header could not carry is refused
    (spaces, control characters): RFC 3986 leaves the rest to the deployment."""
    raw = env.get(name) or None
    if raw is not None and any(c.isspace() or not c.isprintable() for c in raw):
        raise SettingsError(f"{name}={raw!r} must be a URI reference (no spaces)")
    return raw


def _origin(env: Mapping[str, str], name: str) -> str | None:
    """A checkpoint origin line: printable, no newline (c2sp.org/tlog-checkpoint)."""
    raw = env.get(name) or None
    if raw is not None and (raw != raw.strip() or not raw.isprintable()):
        raise SettingsError(f"{name}={raw!r} must be one printable line without edge spaces")
    return raw


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    if value < 1:
        raise SettingsError(f"{name}={raw!r} must be at least 1")
    return value
