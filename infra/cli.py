"""`ledger`: the command line for channel managers, ops and operators.

Every command validates its input at the edge; a rejected command prints which field broke
which rule, exits non-zero and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import PersistenceError

from consumers.projector import ProjectionError
from domain.errors import DomainError
from domain.ledger import ConcurrentUpdates
from infra.cli_audit import add_audit_commands
from infra.cli_partner import add_partner_commands
from infra.cli_pipeline import add_pipeline_commands
from infra.cli_program import add_program_commands
from infra.cli_support import (
    EXIT_INVALID_INPUT,
    EXIT_RULE_BROKEN,
    EXIT_UNAVAILABLE,
    InvalidInput,
)
from infra.cli_tokens import add_token_commands
from infra.demo import demo
from infra.kafka_launcher import LauncherError
from infra.partition_tails import TailReadTimeout
from infra.pipeline import KafkaUnavailable
from infra.relay import RelayPublishError, RelayStateMismatch
from infra.relay_lock import RelayAlreadyRunning
from infra.settings import Settings, SettingsError

# Failures of the infrastructure or of concurrency, not of the input: retrying may succeed.
UNAVAILABLE = (
    KafkaUnavailable,
    LauncherError,
    RelayPublishError,
    RelayStateMismatch,
    RelayAlreadyRunning,
    TailReadTimeout,
    ProjectionError,
    ConcurrentUpdates,
)


# A layer above infra (the HTTP API) adds its commands to the parser through these, since infra
# may not import it.
Extension = Callable[[Any], None]


def main(argv: Sequence[str] | None = None, extensions: Sequence[Extension] = ()) -> int:
    parser = build_parser(extensions)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        result: int = args.handler(args, settings)
        return result
    except InvalidInput as error:
        print(f"error: invalid input\n{error}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    except (DomainError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_RULE_BROKEN if isinstance(error, DomainError) else EXIT_INVALID_INPUT
    except UNAVAILABLE as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except PersistenceError as error:
        # A lock timeout or a lost database connection: nothing was recorded.
        print(f"error: the event store refused the command ({error}); retry", file=sys.stderr)
        return EXIT_UNAVAILABLE


# --- argument parsing -----------------------------------------------------------------------


def build_parser(extensions: Sequence[Extension] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ledger", description="Channel Ledger: the partner program's event-sourced ledger."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    partner = commands.add_parser("partner", help="partner commands and queries").add_subparsers(
        dest="partner_command", required=True
    )
    add_partner_commands(partner)

    add_pipeline_commands(commands)
    add_program_commands(commands, partner)
    add_audit_commands(commands)
    add_token_commands(commands)
    for extend in extensions:
        extend(commands)

    p = commands.add_parser(
        "demo",
        help="record the seed scenario (120 partners, 15 months) and show it through the pipeline",
        epilog="example: ledger demo --seed 2010   (what `make demo` runs)",
    )
    p.add_argument("--seed", type=int, default=2010, help="the scenario's random seed")
    p.set_defaults(handler=demo)
    return parser


if __name__ == "__main__":
    sys.exit(main())
