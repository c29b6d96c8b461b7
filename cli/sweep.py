"""`ledger sweep --as-of DATE`: apply expiries and due tier reviews up to a business date."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.declare import command

if TYPE_CHECKING:
    from infra.settings import Settings


def sweep(args: argparse.Namespace, settings: Settings) -> int:
    from cli.support import parse_date, to_json_object
    from infra.store.event_store import open_ledger

    report = open_ledger(settings).sweep(parse_date("as-of", args.as_of))
    print(to_json_object(report) if args.json else render_sweep(report))
    return 0


def render_sweep(report: Any) -> str:
    return "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in vars(report).items())


def declare(commands: Any) -> None:
    p = command(
        commands,
        "sweep",
        sweep,
        help="apply expiries and due tier reviews up to a date",
        example="sweep --as-of 2011-12-01",
        json=True,
    )
    p.add_argument("--as-of", required=True, help="YYYY-MM-DD")
