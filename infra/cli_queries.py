"""`ledger` queries on the projections: a deal's history, expiring protections, decisions, tiers.

With `--as-of DATE` they answer from history instead: the same queries on the projections
rebuilt from the event store up to that business date (see infra.as_of).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from domain.opportunity import Opportunity
from infra.as_of import HistoryAsOf
from infra.cli_renderers import (
    render_decision_counts,
    render_decisions,
    render_quotes,
    render_tier_history,
    render_tiers_at_risk,
    render_transition_plans,
)
from infra.cli_support import EXIT_RULE_BROKEN, InvalidInput, parse_date
from infra.event_store import sqlalchemy_url
from infra.output import table, to_json
from infra.settings import Settings
from projections import program_queries as views
from projections import transition_queries
from projections.database import open_projection_db

MAX_WITHIN_DAYS = 3650
AS_OF_HELP = "answer from the event store's history as of this business date (YYYY-MM-DD)"


class ProjectionsConnection:
    """A read-only connection to the projection database."""

    def __init__(self, settings: Settings) -> None:
        self.engine = open_projection_db(sqlalchemy_url(settings.projections_url))

    def __enter__(self) -> Any:
        self.connection = self.engine.connect()
        return self.connection

    def __exit__(self, *_: object) -> None:
        self.connection.close()
        self.engine.dispose()


def answering_from(settings: Settings, as_of: date | None) -> Any:
    """Where a query reads: the live projections, or history as of a date."""
    return ProjectionsConnection(settings) if as_of is None else HistoryAsOf(settings, as_of)


def as_of_argument(args: argparse.Namespace) -> date | None:
    return parse_date("as-of", args.as_of) if args.as_of else None


def history(args: argparse.Namespace, settings: Settings) -> int:
    source = answering_from(settings, as_of_argument(args))
    with source as connection:
        decisions = views.decision_history(connection, args.opportunity)
        quotes = views.quotes_for(connection, args.opportunity)
    problem = missing_opportunity(source, args.opportunity, decisions)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_RULE_BROKEN
    if args.json:
        found = {"decisions": [vars(d) for d in decisions], "quotes": [vars(q) for q in quotes]}
        print(to_json([found]))
        return 0
    print(render_decisions(decisions))
    if quotes:
        print()
        print(render_quotes(quotes))
    return 0


def missing_opportunity(source: Any, reference: str, decisions: list[Any]) -> str | None:
    if isinstance(source, HistoryAsOf):
        # Known to the store but not yet registered on that date: an empty answer.
        if source.holds(Opportunity.create_id(reference.strip())):
            return None
        return f"no opportunity {reference!r} in the event store"
    # A deal with no decision has not been registered (or not yet projected).
    return None if decisions else f"no opportunity {reference!r} in the projections"


def expiring(args: argparse.Namespace, settings: Settings) -> int:
    given = as_of_argument(args)
    if not 0 <= args.within <= MAX_WITHIN_DAYS:
        raise InvalidInput(f"within: must be between 0 and {MAX_WITHIN_DAYS} days")
    with answering_from(settings, given) as connection:
        found = views.expiring_registrations(connection, given or date.today(), args.within)
    print(to_json(found) if args.json else render_decisions(found))
    return 0


def decisions(args: argparse.Namespace, settings: Settings) -> int:
    with answering_from(settings, as_of_argument(args)) as connection:
        counts = views.decision_counts(connection)
    print(to_json(counts) if args.json else render_decision_counts(counts))
    return 0


def tiers(args: argparse.Namespace, settings: Settings) -> int:
    with answering_from(settings, as_of_argument(args)) as connection:
        changes = views.tier_history(connection, args.code)
    print(to_json(changes) if args.json else render_tier_history(changes))
    return 0


def at_risk(args: argparse.Namespace, settings: Settings) -> int:
    with answering_from(settings, as_of_argument(args)) as connection:
        found = transition_queries.tiers_at_risk(connection)
    print(to_json(found) if args.json else render_tiers_at_risk(found))
    return 0


def plans(args: argparse.Namespace, settings: Settings) -> int:
    with answering_from(settings, as_of_argument(args)) as connection:
        found = transition_queries.transition_plans(connection)
    print(to_json(found) if args.json else render_transition_plans(found))
    return 0


def dead_letter_list(args: argparse.Namespace, settings: Settings) -> int:
    with ProjectionsConnection(settings) as connection:
        found = views.dead_letters(connection)
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


def add_partner_queries(partner: Any) -> None:
    p = partner.add_parser(
        "tiers",
        help="tier changes with their evidence",
        epilog="example: ledger partner tiers antemeta --as-of 2011-12-31 --json",
    )
    p.add_argument("code", nargs="?")
    p.add_argument("--as-of", help=AS_OF_HELP)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=tiers)
    p = partner.add_parser(
        "at-risk",
        help="tiers at risk: a downgrade announced, or a tier held only by a transition plan",
        epilog="example: ledger partner at-risk --as-of 2012-01-30 --json",
    )
    p.add_argument("--as-of", help=AS_OF_HELP)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=at_risk)
    p = partner.add_parser(
        "plans",
        help="legacy partners' transition plans: floor, due date, what they lacked",
        epilog="example: ledger partner plans --json",
    )
    p.add_argument("--as-of", help=AS_OF_HELP)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=plans)


def add_deal_queries(deal: Any) -> None:
    p = deal.add_parser(
        "history",
        help="an opportunity's decisions and quotes",
        epilog="example: ledger deal history acme-backup-2011 --json",
    )
    p.add_argument("opportunity")
    p.add_argument("--as-of", help=AS_OF_HELP)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=history)

    p = deal.add_parser(
        "expiring",
        help="protections that lapse within N days",
        epilog="example: ledger deal expiring --within 14 --as-of 2011-06-30 --json",
    )
    p.add_argument("--within", type=int, default=30, help="days (default 30)")
    p.add_argument("--as-of", help=AS_OF_HELP + " (default: today, from the live projections)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=expiring)


def add_program_queries(commands: Any) -> None:
    p = commands.add_parser(
        "dead-letters",
        help="messages the projector could not decode, set aside for ops",
        epilog="example: ledger dead-letters --json",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=dead_letter_list)
    p = commands.add_parser(
        "decisions",
        help="exclusivity decisions by outcome and reason",
        epilog="example: ledger decisions --as-of 2011-12-31",
    )
    p.add_argument("--as-of", help=AS_OF_HELP)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=decisions)
