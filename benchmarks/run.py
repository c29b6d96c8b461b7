"""``make bench``: relay and projector throughput against the raw kafka-python client.

One run, one broker, one data directory on disk: fill an event store with N events of the seed
scenario's mix (untimed), publish it once with the relay and read its records back (the raw
producer's messages), then alternate raw producer and relay rounds, comparing both sides'
topics record by record after each, then raw consumer, projector and replay rounds, in ABBA
order, keeping the best round of each. Then, on fresh stores, deal registrations per second
through the application (SQLite and PostgreSQL), the seed scenario's wall time, recorded,
relayed and projected, the latency from a command's scheduled time (and from its return) to
its projection under `ledger up` as deployed, and the HTTP API's reads. Every key written is
printed. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from benchmarks.api_latency import measure_api_latency
from benchmarks.cli_startup import StartupTimes, measure_cli_startup
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
    data_directory,
    filesystem_of,
    kafka_broker,
    new_workspace,
)
from benchmarks.latency import DEFAULT_COMMANDS, DEFAULT_RATE, LatencyResult, measure_e2e_latency
from benchmarks.measurements import (
    BenchmarkError,
    Timing,
    time_projector,
    time_raw_consumer,
    time_raw_producer,
    time_relay,
)
from benchmarks.merkle_log import time_merkle_log
from benchmarks.replay import time_replay
from benchmarks.report import (
    UndocumentedKeys,
    format_table,
    require_documented,
    write_results,
)
from benchmarks.same_bytes import (
    CHAIN_SUFFIX,
    Comparison,
    Published,
    compare_topics,
    read_published,
)
from benchmarks.seeding import time_seed_scenario
from benchmarks.workload import StoreNotEmpty, fill_ledger, require_empty
from contracts.wire.catalog import AGGREGATE_TYPES, topic_name
from domain.ledger import Ledger
from infra.kafka.launcher import LauncherError
from infra.kafka.topics import KafkaUnavailable, ledger_topics
from infra.store.event_store import open_ledger

DEFAULT_EVENTS = 100_000
# Three rounds: the broker shares the machine's two cores, so single rounds are noisy.
DEFAULT_ROUNDS = 3
DEFAULT_REGISTRATIONS = 2_000
# Every topic a relay writes, by its name after the run's prefix: one per aggregate type, and
# the chain's seals.
SUFFIXES = [topic_name("", kind) for kind in AGGREGATE_TYPES] + [CHAIN_SUFFIX]
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
    same_bytes: list[Comparison] = field(default_factory=list)

    def best_rates(self) -> dict[str, float]:
        return {name: max(t.rate for t in timings) for name, timings in self._timings().items()}

    def all_rates(self) -> dict[str, list[int]]:
        return {name: [round(t.rate) for t in timings] for name, timings in self._timings().items()}

    def _timings(self) -> dict[str, list[Timing]]:
        return {name: value for name, value in vars(self).items() if name != "same_bytes"}


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
        UndocumentedKeys,
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
        scratch = stack.enter_context(data_directory(environ))
        log(f"data directory {scratch} ({filesystem_of(scratch)})")
        # Entered after the data directory, so the broker stops before its home is deleted.
        broker = stack.enter_context(kafka_broker(scratch / "kafka", environ))
        workspace = new_workspace(scratch / "data", broker.bootstrap_servers, environ)
        timings, event_types = run_benchmarks(workspace, events, rounds)
        log("timing the Merkle log: checkpoint signing and inclusion proofs (reference topics)")
        merkle = time_merkle_log(workspace.settings_for("reference"))
        log(f"checkpoint signed in {merkle.checkpoint_sign_ms} ms, proof in {merkle.prove_ms} ms")
        application = run_application_benchmarks(workspace, environ, registrations, latency_load)
        # Over HTTP, on the projections the seed scenario just filled (role "seed").
        api_latency = measure_api_latency(workspace.fresh_sqlite_settings("seed"))
        cli_startup = time_cli_startup(workspace)
    results = summarize(workspace, broker, events, timings)
    results["workload_event_types"] = event_types
    results.update(asdict(merkle))
    results["data_dir"] = str(scratch)
    results["data_dir_filesystem"] = filesystem_of(scratch)
    results.update(summarize_application(application))
    results.update(api_latency)
    results.update(cli_figures(cli_startup))
    require_documented(results)
    print(format_table(results))
    log(f"results written to {write_results(results)}")
    return 0


def time_cli_startup(workspace: Workspace) -> StartupTimes:
    # The seed scenario's own store and projections, as `time_seed_scenario` filled them.
    environment = workspace.environment_for("seed")
    environment["LEDGER_EVENT_STORE_URL"] = workspace.fresh_sqlite_settings("seed").event_store_url
    log("timing `ledger --help` and `ledger partner status` as whole processes")
    startup = measure_cli_startup(environment)
    log(
        f"ledger --help {startup.help_ms:.1f} ms, partner status {startup.partner_status_ms:.1f} ms"
    )
    return startup


def cli_figures(startup: StartupTimes) -> dict[str, Any]:
    return {
        "cli_help_ms": startup.help_ms,
        "cli_partner_status_ms": startup.partner_status_ms,
        "cli_samples": startup.samples,
    }


def run_benchmarks(workspace: Workspace, events: int, rounds: int) -> tuple[Rounds, dict[str, int]]:
    timings = Rounds()
    ledger = open_ledger(workspace.settings_for("store"))
    try:
        require_empty(ledger)
        log(
            f"filling the {workspace.store_kind} event store with {events:,} events of the seed "
            "scenario's mix (untimed)"
        )
        fill_ledger(ledger, events, workspace.data_dir / "workload")
        log("publishing the store once with the relay, for the raw producer's messages (untimed)")
        published = reference_messages(workspace, ledger, events)
        # The precomputed messages are the benchmark's own data, not the relay's: freezing them
        # keeps the garbage collector from re-scanning 100k objects during every timed loop.
        gc.collect()
        gc.freeze()
        warm_up_broker(workspace, published)
        for number in range(rounds):
            compare_producers(workspace, ledger, published, number, timings)
    finally:
        ledger.close()
    # Any relay round's topics hold all N events; the consumers read the last round's.
    for number in range(rounds):
        compare_consumers(workspace, f"relay-{rounds - 1}", events, number, timings)
    return timings, published.event_types()


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
    for name, figures in (
        ("scheduled to visible", latency.scheduled_to_visible),
        ("returned to visible", latency.returned_to_visible),
    ):
        log(f"{name}: p50 {figures.p50_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms")
    return latency


def reference_messages(workspace: Workspace, ledger: Ledger, events: int) -> Published:
    """What a relay publishes of this store, read back: the raw producer sends exactly this."""
    settings = workspace.settings_for("reference")
    time_relay(settings, ledger, events)
    published = read_published(workspace.bootstrap_servers, settings.topic_prefix, SUFFIXES)
    if published.events != events:
        raise BenchmarkError(f"read back {published.events} of the relay's {events} events")
    log(f"  {published.events:,} events and {published.seals:,} seals read back")
    return published


def warm_up_broker(workspace: Workspace, published: Published) -> None:
    """Untimed: a first producer on a fresh broker pays for JIT and page-cache warm-up, which
    would otherwise count against whichever measurement happens to run first."""
    settings = workspace.settings_for("warm-up")
    log("warming up the broker (untimed)")
    time_raw_producer(
        settings, settings.topic_prefix, published, published.messages[:WARM_UP_EVENTS]
    )


def compare_producers(
    workspace: Workspace,
    ledger: Ledger,
    published: Published,
    number: int,
    timings: Rounds,
) -> None:
    """One round of raw producer and relay, each to fresh topics of its own; then both sides'
    records compared (the ratio means nothing unless they sent the same bytes)."""
    raw_settings = workspace.settings_for(f"raw-producer-{number}")
    relay_settings = workspace.settings_for(f"relay-{number}")
    steps: list[Step] = [
        (
            "raw producer",
            partial(time_raw_producer, raw_settings, raw_settings.topic_prefix, published),
            timings.raw_producer,
        ),
        ("relay", partial(time_relay, relay_settings, ledger, published.events), timings.relay),
    ]
    run_in_turn(steps, number)
    compared = compare_topics(
        workspace.bootstrap_servers,
        relay_settings.topic_prefix,
        raw_settings.topic_prefix,
        SUFFIXES,
    )
    timings.same_bytes.append(compared)
    log(
        f"round {number + 1}: same bytes: {compared.events_compared:,} events byte for byte, "
        f"{compared.seals_compared:,} seals, {compared.checkpoints_compared:,} checkpoints"
    )


def compare_consumers(
    workspace: Workspace, relay_role: str, events: int, number: int, timings: Rounds
) -> None:
    """One round of raw consumer, projector (own group, empty projection DB) and replay
    (empty database of its own)."""
    projector_settings = workspace.settings_for(f"projector-{number}", reading=relay_role)
    replay_settings = workspace.settings_for(f"replay-{number}", reading=relay_role)
    topics = ledger_topics(projector_settings)
    steps: list[Step] = [
        (
            "raw consumer",
            partial(time_raw_consumer, workspace.bootstrap_servers, topics, events),
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
        "relay_startup_ms": median_startup_ms(timings.relay),
        "projector_startup_ms": median_startup_ms(timings.projector),
        # Every round's relay and raw producer topics were read back and compared in full.
        "same_bytes_events_compared": sum(c.events_compared for c in timings.same_bytes),
        "same_bytes_seals_compared": sum(c.seals_compared for c in timings.same_bytes),
        "same_bytes_checkpoints_compared": sum(c.checkpoints_compared for c in timings.same_bytes),
        "python": platform.python_version(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def median_startup_ms(timings: list[Timing]) -> float:
    return round(statistics.median(t.startup_s or 0.0 for t in timings) * 1000, 1)


def summarize_application(timings: ApplicationTimings) -> dict[str, Any]:
    postgres = timings.registrations_postgres
    return {
        "register_commands_per_s_sqlite": round(timings.registrations_sqlite.rate),
        "register_commands_per_s_postgres": round(postgres.rate) if postgres else None,
        "registrations": timings.registrations_sqlite.events,
        "seed_scenario_seconds": round(timings.seed_scenario.seconds, 2),
        "seed_scenario_events": timings.seed_scenario.events,
        **latency_figures(timings.e2e_latency),
    }


def latency_figures(latency: LatencyResult) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, cut in (
        ("scheduled_to_visible", latency.scheduled_to_visible),
        ("returned_to_visible", latency.returned_to_visible),
    ):
        figures[f"e2e_{name}_p50_ms"] = round(cut.p50_ms, 1)
        figures[f"e2e_{name}_p99_ms"] = round(cut.p99_ms, 1)
        figures[f"e2e_{name}_p999_ms"] = round(cut.p999_ms, 1)
    figures["e2e_latency_rate_per_s"] = latency.rate_per_s
    figures["e2e_latency_achieved_rate_per_s"] = round(latency.achieved_rate_per_s, 1)
    figures["e2e_latency_commands"] = len(latency.returned_to_visible_s)
    return figures


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
