"""`ledger rules ...`: the program's versioned rule sets."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.declare import command, noun

if TYPE_CHECKING:
    from domain.rules import ProgramRules
    from infra.settings import Settings

STDIN = "-"  # the FILE argument that reads the rules document from standard input


def publish(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from contracts.inputs import command_answers as answers
    from domain.commands import PublishRules

    command = PublishRules(_rules_document(args.file))
    return record(
        args,
        settings,
        "publish-rules",
        "publish_rules",
        command,
        lambda _: answers.rules_published(command),
        lambda answer: (
            f"published rules {answer['rules_version']} effective {answer['effective_from']}"
        ),
    )


def simulate_rules(args: argparse.Namespace, settings: Settings) -> int:
    """Replay the recorded history under a proposed rule set; nothing is recorded anywhere."""
    from cli.renderers import render_simulation
    from cli.support import parse_date, to_json_object
    from infra.store.event_store import open_ledger
    from projections.simulation import simulate

    rules = _rules_document(args.file)
    proposed_from = parse_date("from", args.from_date) if args.from_date else rules.effective_from
    ledger = open_ledger(settings)
    try:
        found = simulate(ledger, rules, proposed_from)
    finally:
        ledger.close()
    print(to_json_object(found) if args.json else render_simulation(found))
    return 0


def _rules_document(file: str | None) -> ProgramRules:
    """The rules FILE validated, `-` for standard input, the default rules when none is given;
    InvalidInput naming each bad field otherwise, before anything is written."""
    import sys
    import tempfile
    from pathlib import Path

    from cli.errors import InvalidInput
    from contracts.inputs.rules_schema import DEFAULT_RULES_FILE, RulesFileError, load_rules_file

    if file != STDIN:
        try:
            return load_rules_file(Path(file) if file else DEFAULT_RULES_FILE)
        except RulesFileError as error:
            raise InvalidInput(str(error)) from None
    # The loader reads a path: stdin's bytes go through it unchanged in a scratch copy, so a
    # piped document gets exactly a file's checks (UTF-8, JSON, duplicate keys, every field).
    with tempfile.TemporaryDirectory(prefix="ledger-rules-") as scratch:
        copy = Path(scratch) / "stdin.json"
        copy.write_bytes(sys.stdin.buffer.read())
        try:
            return load_rules_file(copy)
        except RulesFileError as error:
            named = RulesFileError(Path("<stdin>"), error.problems)  # not the scratch path
            raise InvalidInput(str(named)) from None


def declare(commands: Any) -> None:
    rules = noun(commands, "rules", "program rules")
    p = command(
        rules,
        "publish",
        publish,
        help="publish a versioned rule set (JSON file)",
        example="rules publish domain/default_rules.json",
        writes=True,
    )
    p.add_argument(
        "file",
        nargs="?",
        help="a rules file, or - to read it from stdin (default: domain/default_rules.json)",
    )
    p = command(
        rules,
        "simulate",
        simulate_rules,
        help="what-if: replay the recorded history under a proposed rule set, without "
        "recording anything, and show per partner what would differ",
        example="rules simulate proposed.json --from 2011-06-01 --json",
        json=True,
    )
    p.add_argument("file", help="the proposed rules file, or - to read it from stdin")
    p.add_argument(
        "--from",
        dest="from_date",
        help="the proposal replaces the recorded rules from this date (default: its own "
        "effective_from)",
    )
