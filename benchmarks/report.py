"""Presenting one run: an aligned table on stdout and ``benchmarks/results/latest.json``.

`KEYS` is every key a run writes, in the order printed; the run refuses to write a result whose
keys differ from it, and a unit test requires benchmarks/README.md to describe each of them, so
the table, the JSON and the README cannot drift apart.
"""

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

KEYS: tuple[str, ...] = (
    # Kafka measurements
    "relay_events_per_s",
    "raw_producer_events_per_s",
    "relay_vs_raw_producer",
    "projector_events_per_s",
    "raw_consumer_events_per_s",
    "projector_vs_raw_consumer",
    "replay_events_per_s",
    "replay_vs_raw_consumer",
    "same_bytes_events_compared",
    "same_bytes_seals_compared",
    "same_bytes_checkpoints_compared",
    "relay_startup_ms",
    "projector_startup_ms",
    "workload_event_types",
    "kafka_version",
    "store",
    "events",
    "partitions",
    "relay_batch_size",
    "rounds",
    "order",
    "all_rounds_events_per_s",
    "data_dir",
    "data_dir_filesystem",
    "python",
    "timestamp",
    # the Merkle log (the relay's figures above are with it on)
    "checkpoint_sign_ms",
    "prove_log_read_s",
    "prove_ms",
    # application figures
    "register_commands_per_s_sqlite",
    "register_commands_per_s_postgres",
    "registrations",
    "seed_scenario_seconds",
    "seed_scenario_events",
    "e2e_scheduled_to_visible_p50_ms",
    "e2e_scheduled_to_visible_p99_ms",
    "e2e_scheduled_to_visible_p999_ms",
    "e2e_returned_to_visible_p50_ms",
    "e2e_returned_to_visible_p99_ms",
    "e2e_returned_to_visible_p999_ms",
    "e2e_latency_rate_per_s",
    "e2e_latency_achieved_rate_per_s",
    "e2e_latency_commands",
    # HTTP API
    "api_partner_status_p50_ms",
    "api_partner_status_p99_ms",
    "api_decision_history_p50_ms",
    "api_decision_history_p99_ms",
    "api_requests",
    "api_partners",
    "api_opportunities",
    # the command line, whole processes
    "cli_help_ms",
    "cli_partner_status_ms",
    "cli_samples",
)


class UndocumentedKeys(RuntimeError):
    """The run wrote keys that `KEYS` (and so the README) does not list, or missed some."""


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
    lines += ["", "every figure written (benchmarks/results/latest.json):"]
    key_width = max(len(key) for key in results)
    lines += [f"  {key:<{key_width}}  {json.dumps(value)}" for key, value in results.items()]
    return "\n".join(lines)


def application_lines(results: dict[str, Any]) -> list[str]:
    """Commands through `Ledger`, the seed scenario end to end, latency under `ledger up`."""
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
    if "e2e_scheduled_to_visible_p50_ms" in results:
        load = (
            f"{results['e2e_latency_rate_per_s']}/s scheduled, "
            f"{results['e2e_latency_achieved_rate_per_s']}/s achieved"
        )
        for name in ("scheduled_to_visible", "returned_to_visible"):
            for cut, label in (("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")):
                value = results[f"e2e_{name}_{cut}_ms"]
                rows.append((f"{name.replace('_', ' ')} {label} ({load})", f"{value:.1f}", "ms"))
    if "api_partner_status_p50_ms" in results:
        for what in ("partner_status", "decision_history"):
            for cut in ("p50", "p99"):
                value = results[f"api_{what}_{cut}_ms"]
                rows.append((f"API {what.replace('_', ' ')} {cut}", f"{value:.1f}", "ms"))
    if "cli_help_ms" in results:
        for what, key in (
            ("ledger --help", "cli_help_ms"),
            ("ledger partner status", "cli_partner_status_ms"),
        ):
            rows.append(
                (f"{what} (median of {results['cli_samples']})", f"{results[key]:.1f}", "ms")
            )
    width = max(len(label) for label, _, _ in rows)
    header = f"application, fresh stores ({results['registrations']:,} registrations)"
    return [header, *(f"{label:<{width}}  {value:>10}  {unit}" for label, value, unit in rows)]


def require_documented(results: dict[str, Any]) -> None:
    written, listed = set(results), set(KEYS)
    if written != listed:
        raise UndocumentedKeys(
            f"keys not in benchmarks.report.KEYS: {sorted(written - listed)}; "
            f"listed but not written: {sorted(listed - written)}"
        )


def write_results(results: dict[str, Any], directory: Path = RESULTS_DIR) -> Path:
    require_documented(results)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "latest.json"
    path.write_text(json.dumps({key: results[key] for key in KEYS}, indent=2) + "\n")
    return path
