"""`ledger demo`: the seed scenario through the whole pipeline, summarised from the projections.

The work is in cli.demo_report, imported only when the demo runs, so declaring the command
costs `ledger --help` nothing.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.declare import command

if TYPE_CHECKING:
    from infra.settings import Settings


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from cli import demo_report

    return demo_report.demo(args, settings)


def declare(commands: Any) -> None:
    p = command(
        commands,
        "demo",
        demo,
        help="record the seed scenario (120 partners, 15 months) and show it through the pipeline",
        example="demo --seed 2010   (what `make demo` runs)",
    )
    p.add_argument("--seed", type=int, default=2010, help="the scenario's random seed")
