"""`ledger decisions` and `ledger dead-letters`: what ops read across the whole ledger."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.declare import AS_OF_HELP, command

if TYPE_CHECKING:
    from infra.settings import Settings


def decisions(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import answering_from
    from cli.renderers import render_decision_counts
    from cli.support import optional_date
    from infra.output import to_json
    from projections.models.exclusivity_decisions import decision_counts

    with answering_from(settings, optional_date("as-of", args.as_of)) as connection:
        counts = decision_counts(connection)
    print(to_json(counts) if args.json else render_decision_counts(counts))
    return 0


def dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import ProjectionsConnection
    from infra.output import table, to_json
    from projections.models.dead_letters import dead_letters as read_dead_letters

    with ProjectionsConnection(settings) as connection:
        found = read_dead_letters(connection)
    if args.json:
        print(to_json(found))
    elif not found:
        print("no dead letters")
    else:
        print(f"{len(found)} dead letters (republished on the dead-letter topic)")
        print(
            table(
                ["topic", "partition", "offset", "reason"],
                [[d.topic, d.partition, d.offset, d.reason] for d in found],
            )
        )
    return 0


def declare(commands: Any) -> None:
    command(
        commands,
        "dead-letters",
        dead_letters,
        help="messages the projector could not decode, set aside for ops",
        example="dead-letters --json",
        json=True,
    )
    command(
        commands,
        "decisions",
        decisions,
        help="exclusivity decisions by outcome and reason",
        example="decisions --as-of 2011-12-31",
        as_of=AS_OF_HELP,
        json=True,
    )
