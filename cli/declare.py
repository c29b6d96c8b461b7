"""Declaring a `ledger` subcommand: its help, the example `--help` ends with, and its handler."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from enum import Enum
from typing import Any

Handler = Callable[[argparse.Namespace, Any], int]
AS_OF_HELP = "answer from the event store's history as of this business date (YYYY-MM-DD)"


def noun(commands: Any, name: str, help: str) -> Any:
    """`ledger NAME ...`: a group of subcommands, one of which must be given."""
    group = commands.add_parser(name, help=help)
    return group.add_subparsers(dest=f"{name.replace('-', '_')}_command", required=True)


def command(
    commands: Any,
    name: str,
    handler: Handler,
    *,
    help: str,
    example: str,
    description: str | None = None,
    json: bool = False,
    as_of: str | None = None,
    writes: bool = False,
) -> argparse.ArgumentParser:
    """`ledger ... NAME`: `example` is what follows `ledger ` (tests check the parser takes it).

    A command that `writes` takes `--request-id` and `--json` (see cli.recording)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=description, epilog=f"example: ledger {example}"
    )
    parser.set_defaults(handler=handler)
    if as_of is not None:
        parser.add_argument("--as-of", help=as_of)
    if json or writes:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
    if writes:
        parser.add_argument(
            "--request-id",
            help="your key for this request (a UUID, say): a retry with the same id records "
            "nothing new and prints the first answer",
        )
    return parser


def choices(enum_type: type[Enum]) -> str:
    return "one of: " + ", ".join(str(member.value) for member in enum_type)
