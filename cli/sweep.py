"""`ledger sweep --as-of DATE`: apply expiries and due tier reviews up to a business date."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.declare import command

if TYPE_CHECKING:
    from infra.settings import Settings


def sweep(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import parse_date
    from contracts.inputs import command_answers as answers

    as_of = parse_date("as-of", args.as_of)
    return record(
        args, settings, "sweep", "sweep", as_of, answers.sweep, render_sweep, {"as_of": as_of}
    )


def render_sweep(report: dict[str, Any]) -> str:
    return "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in report.items())


def declare(commands: Any) -> None:
    p = command(
        commands,
        "sweep",
        sweep,
        help="apply expiries and due tier reviews up to a date",
        example="sweep --as-of 2011-12-01",
        writes=True,
    )
    p.add_argument("--as-of", required=True, help="YYYY-MM-DD")
