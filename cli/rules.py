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
