"""`ledger`: the command line for channel managers, ops and operators.

Every command validates its input at the edge; a rejected command prints which field broke
which rule, exits non-zero and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from cli import api, audit, deal, demo, partner, pipeline, reports, rules, sweep, tokens
from cli.errors import (
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    EXIT_RULE_BROKEN,
    EXIT_UNAVAILABLE,
    InvalidInput,
)

# In the order `ledger --help` lists them.
NOUNS = (partner, pipeline, rules, deal, reports, sweep, audit, tokens, api, demo)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except KeyboardInterrupt:
        # Ctrl-C is the user's choice, not a failure to report with a traceback. What the
        # command had committed stays; the relay and projector resume from their checkpoints.
        print("ledger: interrupted (Ctrl-C)", file=sys.stderr)
        return EXIT_INTERRUPTED


def run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    from domain.errors import DomainError
    from infra.settings import Settings, SettingsError

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
    except Exception as error:
        code = unavailable_exit_code(error)
        if code is None:
            raise
        return code


def unavailable_exit_code(error: Exception) -> int | None:
    """Failures of the infrastructure or of concurrency, not of the input: retrying may succeed.

    Their classes are imported here, once something failed, so that start-up loads none of them.
    """
    from eventsourcing.persistence import PersistenceError

    from consumers.projector import ProjectionError
    from domain.ledger import ConcurrentUpdates
    from infra.kafka.launcher import LauncherError
    from infra.kafka.topics import KafkaUnavailable
    from infra.relay.lock import RelayAlreadyRunning
    from infra.relay.relay import RelayPublishError, RelayStateMismatch
    from infra.relay.tails import TailReadTimeout

    unavailable = (
        KafkaUnavailable,
        LauncherError,
        RelayPublishError,
        RelayStateMismatch,
        RelayAlreadyRunning,
        TailReadTimeout,
        ProjectionError,
        ConcurrentUpdates,
    )
    if isinstance(error, unavailable):
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    if isinstance(error, PersistenceError):
        # A lock timeout or a lost database connection: nothing was recorded.
        print(f"error: the event store refused the command ({error}); retry", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return None


DISTRIBUTION = "channel-ledger"


class InstalledVersion(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked for.

    argparse's own "version" action wants the string while the parser is built, which would
    make every start-up, `--help` included, read the installed metadata.
    """

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the installed version")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            installed = version(DISTRIBUTION)
        except PackageNotFoundError:
            parser.exit(EXIT_UNAVAILABLE, f"error: {DISTRIBUTION} is not installed\n")
        print(f"ledger {installed}")  # on stdout, as argparse's own version action does
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ledger", description="Channel Ledger: the partner program's event-sourced ledger."
    )
    parser.add_argument("--version", action=InstalledVersion)
    commands = parser.add_subparsers(dest="command", required=True)
    for noun in NOUNS:
        noun.declare(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
