"""`ledger rules ...`: the program's versioned rule sets."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.declare import command, noun

if TYPE_CHECKING:
    from infra.settings import Settings


def publish(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from cli.errors import InvalidInput
    from contracts.inputs.rules_schema import DEFAULT_RULES_FILE, RulesFileError, load_rules_file
    from domain.commands import PublishRules
    from infra.store.event_store import open_ledger

    try:
        rules = load_rules_file(Path(args.file) if args.file else DEFAULT_RULES_FILE)
    except RulesFileError as error:
        raise InvalidInput(str(error)) from None
    open_ledger(settings).publish_rules(PublishRules(rules))
    print(f"published rules {rules.version} effective {rules.effective_from}")
    return 0


def simulate_rules(args: argparse.Namespace, settings: Settings) -> int:
    """Replay the recorded history under a proposed rule set; nothing is recorded anywhere."""
    from pathlib import Path

    from cli.errors import InvalidInput
    from cli.renderers import render_simulation
    from cli.support import parse_date
    from contracts.inputs.rules_schema import RulesFileError, load_rules_file
    from infra.output import to_json
    from infra.store.event_store import open_ledger
    from projections.simulation import simulate

    try:
        rules = load_rules_file(Path(args.file))
    except RulesFileError as error:
        raise InvalidInput(str(error)) from None
    proposed_from = parse_date("from", args.from_date) if args.from_date else rules.effective_from
    ledger = open_ledger(settings)
    try:
        found = simulate(ledger, rules, proposed_from)
    finally:
        ledger.close()
    print(to_json([found]) if args.json else render_simulation(found))
    return 0


def declare(commands: Any) -> None:
    rules = noun(commands, "rules", "program rules")
    p = command(
        rules,
        "publish",
        publish,
        help="publish a versioned rule set (JSON file)",
        example="rules publish domain/default_rules.json",
    )
    p.add_argument("file", nargs="?", help="a rules file (default: domain/default_rules.json)")
    p = command(
        rules,
        "simulate",
        simulate_rules,
        help="what-if: replay the recorded history under a proposed rule set, without "
        "recording anything, and show per partner what would differ",
        example="rules simulate proposed.json --from 2011-06-01 --json",
        json=True,
    )
    p.add_argument("file")
    p.add_argument(
        "--from",
        dest="from_date",
        help="the proposal replaces the recorded rules from this date (default: its own "
        "effective_from)",
    )
