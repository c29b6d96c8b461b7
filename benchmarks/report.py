"""Presenting one run: an aligned table on stdout and ``benchmarks/results/latest.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# (label, rate key, ratio key or None): the table's rows, raw baselines under what they judge.
ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("relay (Relay.drain)", "relay_events_per_s", "relay_vs_raw_producer"),
    ("raw producer", "raw_producer_events_per_s", None),
    ("projector (Projector.drain)", "projector_events_per_s", "projector_vs_raw_consumer"),
    ("replay (ledger audit replay)", "replay_events_per_s", "replay_vs_raw_consumer"),
    ("raw consumer + json.loads", "raw_consumer_events_per_s", None),
)


def format_table(results: dict[str, Any]) -> str:
    header = (
        f"Channel Ledger benchmark: {results['events']:,} events, {results['partitions']} "
        f"partitions, {results['store']} store, Kafka {results['kafka_version']}, "
        f"best of {results['rounds']} round{'' if results['rounds'] == 1 else 's'}"
    )
    width = max(len(label) for label, _, _ in ROWS)
    lines = [header, f"{'measurement':<{width}}  {'events/s':>10}  {'vs raw':>7}"]
    for label, rate_key, ratio_key in ROWS:
        ratio = f"{results[ratio_key]:.3f}" if ratio_key else ""
        lines.append(f"{label:<{width}}  {results[rate_key]:>10,}  {ratio:>7}".rstrip())
    if "seed_scenario_seconds" in results:
        lines += ["", *application_lines(results)]
    return "\n".join(lines)


def application_lines(results: dict[str, Any]) -> list[str]:
    """Commands through `Ledger`, and the seed scenario end to end, each on a fresh store."""
    postgres = results["register_commands_per_s_postgres"]
    rows = [
        ("register_deal, sqlite", f"{results['register_commands_per_s_sqlite']:,}", "commands/s"),
        (
            "register_deal, postgresql",
            *((f"{postgres:,}", "commands/s") if postgres is not None else ("-", "skipped")),
        ),
        (
            f"seed scenario ({results['seed_scenario_events']:,} events)",
            f"{results['seed_scenario_seconds']:.2f}",
            "s",
        ),
    ]
    if "e2e_latency_p50_ms" in results:
        load = f"{results['e2e_latency_rate_per_s']}/s"
        rows += [
            (f"command to projection p50 ({load})", f"{results['e2e_latency_p50_ms']:.1f}", "ms"),
            (f"command to projection p99 ({load})", f"{results['e2e_latency_p99_ms']:.1f}", "ms"),
        ]
    width = max(len(label) for label, _, _ in rows)
    header = f"application, fresh stores ({results['registrations']:,} registrations)"
    return [header, *(f"{label:<{width}}  {value:>10}  {unit}" for label, value, unit in rows)]


def write_results(results: dict[str, Any], directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "latest.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path
