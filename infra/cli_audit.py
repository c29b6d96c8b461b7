"""`ledger audit ...`: what auditors run to check the projections against Kafka."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from infra.audit_replay import ReplayTargetNotEmpty, replay
from infra.cli_support import EXIT_RULE_BROKEN, InvalidInput
from infra.event_store import redact
from infra.output import table, to_json
from infra.settings import Settings

SHOWN_DIFFERENCES = 20


def audit_replay(args: argparse.Namespace, settings: Settings) -> int:
    target = args.into or default_target(settings)
    try:
        result = replay(settings, target)
    except ReplayTargetNotEmpty as error:
        raise InvalidInput(f"into: {error}") from None
    if args.json:
        print(to_json([result]))
    else:
        print(f"replay: {result.events} events projected from offset zero into {redact(target)}")
        print(describe(result.differences))
    return EXIT_RULE_BROKEN if result.differences else 0


def default_target(settings: Settings) -> str:
    # A new file each time: a replay never overwrites an earlier one an auditor may keep.
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"sqlite:///{settings.data_dir / f'replay-{stamp}.sqlite'}"


def describe(differences: list[Any]) -> str:
    if not differences:
        return "replay: every projection table equals the live one"
    rows = [
        [
            d.table,
            d.key,
            d.live if d.live is not None else "(missing)",
            d.replayed if d.replayed is not None else "(missing)",
        ]
        for d in differences[:SHOWN_DIFFERENCES]
    ]
    more = len(differences) - SHOWN_DIFFERENCES
    tail = f"\n... and {more} more" if more > 0 else ""
    return (
        "replay: the live projections differ:\n"
        + table(["table", "key", "live", "replayed"], rows)
        + tail
    )


def add_audit_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="auditors' checks").add_subparsers(
        dest="audit_command", required=True
    )
    p = audit.add_parser(
        "replay",
        help="rebuild every projection from offset zero and compare with the live tables",
        epilog="example: ledger audit replay --into sqlite:///var/replay.sqlite",
    )
    p.add_argument("--into", help="an empty database URL (default: a new file under var/)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=audit_replay)
