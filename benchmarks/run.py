"""``make bench``: relay and projector throughput against the raw kafka-python client.

One run, one broker: fill an event store with N events (untimed), then alternate raw producer
and relay rounds, then raw consumer and projector rounds, in ABBA order, keeping the best round
of each. Then, on fresh stores, deal registrations per second through the application (SQLite
and PostgreSQL), the seed scenario's wall time, recorded, relayed and projected, and the
latency from command to projection under `ledger up` at a steady load. The consumer rounds
include the auditors' replay. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.api_latency import measure_api_latency
from benchmarks.commands import (
    PostgresUnavailable,
    check_postgres,
    dedicated_database,
    postgres_admin_url,
    time_registrations,
)
from benchmarks.environment import (
    Broker,
    BrokerUnreachable,
    Workspace,
    kafka_broker,
    new_workspace,
)
from benchmarks.latency import DEFAULT_COMMANDS, DEFAULT_RATE, LatencyResult, measure_e2e_latency
from benchmarks.measurements import (
    BenchmarkError,
    Timing,
    partition_sizes,
    time_projector,
    time_raw_consumer,
    time_raw_producer,
    time_relay,
)
from benchmarks.replay import time_replay
from benchmarks.report import format_table, write_results
from benchmarks.seeding import time_seed_scenario
from benchmarks.workload import (
    OutgoingMessage,
    StoreNotEmpty,
    fill_ledger,
    outgoing_messages,
    require_empty,
)
from contracts.wire.catalog import topic_name
from domain.ledger import Ledger
from infra.kafka.launcher import LauncherError
from infra.kafka.topics import KafkaUnavailable
from infra.store.event_store import open_ledger

DEFAULT_EVENTS = 100_000
# Three rounds: the broker shares the machine's two cores, so single rounds are noisy.
DEFAULT_ROUNDS = 3
DEFAULT_REGISTRATIONS = 2_000
# Every benchmark event is a partner event, so the relay publishes to this one topic.
AGGREGATE_TYPE = "partner"
SETTLE_S = 1.0
WARM_UP_EVENTS = 20_000

Step = tuple[str, Callable[[], Timing], list[Timing]]


@dataclass
class Rounds:
    """Every round's timing of each measurement, in the order they ran."""

    relay: list[Timing] = field(default_factory=list)
    raw_producer: list[Timing] = field(default_factory=list)
    projector: list[Timing] = field(default_factory=list)
    raw_consumer: list[Timing] = field(default_factory=list)
    replay: list[Timing] = field(default_factory=list)

    def best_rates(self) -> dict[str, float]:
        return {name: max(t.rate for t in timings) for name, timings in vars(self).items()}

    def all_rates(self) -> dict[str, list[int]]:
        return {name: [round(t.rate) for t in timings] for name, timings in vars(self).items()}


@dataclass(frozen=True)
class ApplicationTimings:
    """The figures measured through the application, each on a fresh store of its own."""

    registrations_sqlite: Timing
    registrations_postgres: Timing | None  # None: no PostgreSQL configured
    seed_scenario: Timing
    e2e_latency: LatencyResult


def main(environ: Mapping[str, str] = os.environ) -> int:
    try:
        return run(environ)
    except (
        BenchmarkError,
        BrokerUnreachable,
        StoreNotEmpty,
        LauncherError,
        KafkaUnavailable,
        PostgresUnavailable,
    ) as error:
        # Problems the person running the benchmark can fix: say what, without a traceback.
        print(f"error: {error}", file=sys.stderr)
        return 1


def run(environ: Mapping[str, str]) -> int:
    events = positive_int(environ, "BENCH_EVENTS", DEFAULT_EVENTS)
    rounds = positive_int(environ, "BENCH_ROUNDS", DEFAULT_ROUNDS)
    registrations = positive_int(environ, "BENCH_REGISTRATIONS", DEFAULT_REGISTRATIONS)
    latency_load = (
        positive_int(environ, "BENCH_LATENCY_RATE", DEFAULT_RATE),
        positive_int(environ, "BENCH_LATENCY_COMMANDS", DEFAULT_COMMANDS),
    )
    check_postgres(environ)
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ledger-bench-")))
        # Entered after the scratch directory, so the broker stops before its home is deleted.
        broker = stack.enter_context(kafka_broker(scratch / "kafka", environ))
        workspace = new_workspace(scratch / "data", broker.bootstrap_servers, environ)
        timings = run_benchmarks(workspace, events, rounds)
        application = run_application_benchmarks(workspace, environ, registrations, latency_load)
        # Over HTTP, on the projections the seed scenario just filled (role "seed").
        api_latency = measure_api_latency(workspace.fresh_sqlite_settings("seed"))
    results = summarize(workspace, broker, events, timings)
    results.update(summarize_application(application))
    results.update(api_latency)
    print(format_table(results))
    log(f"results written to {write_results(results)}")
    return 0


def run_benchmarks(workspace: Workspace, events: int, rounds: int) -> Rounds:
    timings = Rounds()
    ledger = open_ledger(workspace.settings_for("store"))
    try:
        require_empty(ledger)
        log(f"filling the {workspace.store_kind} event store with {events:,} events (untimed)")
        fill_ledger(ledger, events)
        log("encoding the stored events as the relay does, for the raw producer (untimed)")
        messages = outgoing_messages(ledger, workspace.settings_for("store").topic_partitions)
        # The precomputed messages are the benchmark's own data, not the relay's: freezing them
        # keeps the garbage collector from re-scanning 100k objects during every timed loop.
        gc.collect()
        gc.freeze()
        warm_up_broker(workspace, messages)
        for number in range(rounds):
            compare_producers(workspace, ledger, messages, number, timings)
    finally:
        ledger.close()
    # Any relay round's topics hold all N events; the consumers read the last round's.
    for number in range(rounds):
        compare_consumers(workspace, f"relay-{rounds - 1}", events, number, timings)
    return timings


def run_application_benchmarks(
    workspace: Workspace,
    environ: Mapping[str, str],
    registrations: int,
    latency_load: tuple[int, int],
) -> ApplicationTimings:
    log(f"timing {registrations:,} deal registrations on a fresh SQLite store")
    sqlite = time_registrations(workspace.fresh_sqlite_settings("registrations"), registrations)
    log(f"registrations, sqlite: {sqlite.rate:,.0f} commands/s")
    postgres = None
    admin_url = postgres_admin_url(environ)
    if admin_url is None:
        log(
            "registrations on PostgreSQL skipped (recorded as null): set "
            "LEDGER_TEST_POSTGRES_URL or BENCH_POSTGRES_ADMIN_URL to an admin URL whose role "
            "may CREATE DATABASE"
        )
    else:
        with dedicated_database(admin_url) as url:
            log(f"timing {registrations:,} deal registrations on a fresh PostgreSQL database")
            settings = replace(workspace.settings_for("registrations"), event_store_url=url)
            postgres = time_registrations(settings, registrations)
        log(f"registrations, postgresql: {postgres.rate:,.0f} commands/s")
    log("timing the seed scenario: recorded on a fresh SQLite store, relayed, projected")
    seed = time_seed_scenario(workspace.fresh_sqlite_settings("seed"))
    log(f"seed scenario: {seed.events:,} events in {seed.seconds:.1f} s")
    latency = time_e2e_latency(workspace, *latency_load)
    return ApplicationTimings(sqlite, postgres, seed, latency)


def time_e2e_latency(workspace: Workspace, rate: int, commands: int) -> LatencyResult:
    settings = workspace.fresh_sqlite_settings("latency")
    # The same configuration for the `ledger up` subprocess, read from its environment.
    environment = workspace.environment_for("latency")
    environment["LEDGER_EVENT_STORE_URL"] = settings.event_store_url
    log(f"timing {commands:,} registrations at {rate}/s, command to projection, under ledger up")
    latency = measure_e2e_latency(settings, environment, rate, commands)
    log(f"e2e latency: p50 {latency.p50_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms")
    return latency


def warm_up_broker(workspace: Workspace, messages: list[OutgoingMessage]) -> None:
    """Untimed: a first producer on a fresh broker pays for JIT and page-cache warm-up, which
    would otherwise count against whichever measurement happens to run first."""
    settings = workspace.settings_for("warm-up")
    topic = topic_name(settings.topic_prefix, AGGREGATE_TYPE)
    log("warming up the broker (untimed)")
    time_raw_producer(settings, topic, messages[:WARM_UP_EVENTS])


def compare_producers(
    workspace: Workspace,
    ledger: Ledger,
    messages: list[OutgoingMessage],
    number: int,
    timings: Rounds,
) -> None:
    """One round of raw producer and relay, each to fresh topics of its own."""
    raw_settings = workspace.settings_for(f"raw-producer-{number}")
    raw_topic = topic_name(raw_settings.topic_prefix, AGGREGATE_TYPE)
    relay_settings = workspace.settings_for(f"relay-{number}")
    steps: list[Step] = [
        (
            "raw producer",
            partial(time_raw_producer, raw_settings, raw_topic, messages),
            timings.raw_producer,
        ),
        ("relay", partial(time_relay, relay_settings, ledger, len(messages)), timings.relay),
    ]
    run_in_turn(steps, number)
    relay_topic = topic_name(relay_settings.topic_prefix, AGGREGATE_TYPE)
    require_same_partitions(workspace.bootstrap_servers, raw_topic, relay_topic)


def compare_consumers(
    workspace: Workspace, relay_role: str, events: int, number: int, timings: Rounds
) -> None:
    """One round of raw consumer, projector (own group, empty projection DB) and replay
    (empty database of its own)."""
    projector_settings = workspace.settings_for(f"projector-{number}", reading=relay_role)
    replay_settings = workspace.settings_for(f"replay-{number}", reading=relay_role)
    topic = topic_name(projector_settings.topic_prefix, AGGREGATE_TYPE)
    steps: list[Step] = [
        (
            "raw consumer",
            partial(time_raw_consumer, workspace.bootstrap_servers, topic, events),
            timings.raw_consumer,
        ),
        ("projector", partial(time_projector, projector_settings, events), timings.projector),
        ("replay", partial(time_replay, replay_settings, events), timings.replay),
    ]
    run_in_turn(steps, number)


def run_in_turn(steps: list[Step], number: int) -> None:
    # ABBA (ABC CBA with three): odd rounds reverse the order, so a broker warming up (or a
    # page cache filling) over the run does not favour the same side every time.
    for name, measure, timings in steps if number % 2 == 0 else steps[::-1]:
        # The broker shares the CPUs; let it finish writing the previous measurement's records
        # so they do not slow down the next one.
        time.sleep(SETTLE_S)
        timing = measure()
        timings.append(timing)
        log(f"round {number + 1}: {name:<12} {timing.rate:>10,.0f} events/s")


def require_same_partitions(bootstrap_servers: str, raw_topic: str, relay_topic: str) -> None:
    # The ratio is only meaningful if both wrote the same records to the same partitions.
    raw_sizes = partition_sizes(bootstrap_servers, raw_topic)
    relay_sizes = partition_sizes(bootstrap_servers, relay_topic)
    if raw_sizes != relay_sizes:
        raise BenchmarkError(
            f"raw producer and relay filled partitions differently: {raw_sizes} vs {relay_sizes}"
        )


def summarize(workspace: Workspace, broker: Broker, events: int, timings: Rounds) -> dict[str, Any]:
    best = timings.best_rates()
    settings = workspace.settings_for("store")
    return {
        "relay_events_per_s": round(best["relay"]),
        "raw_producer_events_per_s": round(best["raw_producer"]),
        "relay_vs_raw_producer": round(best["relay"] / best["raw_producer"], 3),
        "projector_events_per_s": round(best["projector"]),
        "raw_consumer_events_per_s": round(best["raw_consumer"]),
        "projector_vs_raw_consumer": round(best["projector"] / best["raw_consumer"], 3),
        "replay_events_per_s": round(best["replay"]),
        "replay_vs_raw_consumer": round(best["replay"] / best["raw_consumer"], 3),
        "kafka_version": broker.version,
        "store": workspace.store_kind,
        "events": events,
        "partitions": settings.topic_partitions,
        "relay_batch_size": settings.relay_batch_size,
        "rounds": len(timings.relay),
        "order": "ABBA (odd rounds swap who goes first); best round of each is reported",
        "all_rounds_events_per_s": timings.all_rates(),
        "python": platform.python_version(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def summarize_application(timings: ApplicationTimings) -> dict[str, Any]:
    postgres = timings.registrations_postgres
    return {
        "register_commands_per_s_sqlite": round(timings.registrations_sqlite.rate),
        "register_commands_per_s_postgres": round(postgres.rate) if postgres else None,
        "registrations": timings.registrations_sqlite.events,
        "seed_scenario_seconds": round(timings.seed_scenario.seconds, 2),
        "seed_scenario_events": timings.seed_scenario.events,
        "e2e_latency_p50_ms": round(timings.e2e_latency.p50_ms, 1),
        "e2e_latency_p99_ms": round(timings.e2e_latency.p99_ms, 1),
        "e2e_latency_rate_per_s": timings.e2e_latency.rate_per_s,
        "e2e_latency_achieved_rate_per_s": round(timings.e2e_latency.achieved_rate_per_s, 1),
        "e2e_latency_commands": len(timings.e2e_latency.latencies_s),
    }


def positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not an integer") from None
    if value < 1:
        raise SystemExit(f"{name}={raw!r} must be at least 1")
    return value


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
