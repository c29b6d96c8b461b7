"""`ledger` commands for the program: rules, specializations, deals, quotes, time, and the
queries ops and auditors run on the projections.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from contracts import commands as schemas
from contracts.rules_schema import RulesFileError, load_rules_file
from domain.commands import PublishRules
from domain.program import CertificationKind, Specialization
from infra.cli_support import InvalidInput, choices, parse_date, today_or, validated
from infra.event_store import open_ledger, sqlalchemy_url
from infra.output import table, to_json
from infra.settings import Settings
from projections import program_queries as views
from projections.database import open_projection_db

DEFAULT_RULES = Path(__file__).with_name("default_rules.json")


def publish_rules(args: argparse.Namespace, settings: Settings) -> int:
    try:
        rules = load_rules_file(Path(args.file))
    except RulesFileError as error:
        raise InvalidInput(str(error)) from None
    open_ledger(settings).publish_rules(PublishRules(rules))
    print(f"published rules {rules.version} effective {rules.effective_from}")
    return 0


def revoke(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.RevokeCertificationSchema(),
        {
            "partner_code": args.code,
            "individual": args.individual,
            "kind": args.kind,
            "specialization": args.specialization,
            "revoked_on": today_or(args.revoked_on),
            "reason": args.reason,
        },
    )
    open_ledger(settings).revoke_certification(command)
    print(f"revoked {command.kind.value} certification of {command.individual}")
    return 0


def specialize(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.AwardSpecializationSchema(),
        {
            "partner_code": args.code,
            "specialization": args.specialization,
            "contract_reference": args.contract,
            "awarded_on": today_or(args.awarded_on),
        },
    )
    open_ledger(settings).award_specialization(command)
    print(f"{command.partner_code} specialized in {command.specialization.value}")
    return 0


def register(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.RegisterDealSchema(),
        {
            "opportunity": args.opportunity,
            "end_customer": args.end_customer,
            "specialization": args.specialization,
            "partner_code": args.partner,
            "estimated_value": args.value,
            "expected_close": args.expected_close,
            "presales_evidence": args.evidence or "",
            "new_business": not args.renewal,
            "registered_on": today_or(args.registered_on),
        },
    )
    result = open_ledger(settings).register_deal(command)
    decision = result.decision
    until = f" until {decision.valid_until}" if decision.valid_until else ""
    print(
        f"{decision.reason.value}{until} (decision {result.decision_id}, "
        f"rules {decision.rules_version})"
    )
    return 0


def engage(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.EngageVendorSalesSchema(),
        {
            "opportunity": args.opportunity,
            "end_customer": args.end_customer,
            "specialization": args.specialization,
            "engaged_on": today_or(args.engaged_on),
            "note": args.note or "",
        },
    )
    open_ledger(settings).engage_vendor_sales(command)
    print(f"vendor sales engaged on {command.opportunity}")
    return 0


def release(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.ReleaseExclusivitySchema(),
        {
            "opportunity": args.opportunity,
            "partner_code": args.partner,
            "released_on": today_or(args.released_on),
            "reason": args.reason or "",
        },
    )
    open_ledger(settings).release_exclusivity(command)
    print(f"{command.partner_code} released its protection on {command.opportunity}")
    return 0


def quote(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.IssueQuoteSchema(),
        {
            "opportunity": args.opportunity,
            "partner_code": args.partner,
            "list_price": args.list_price,
            "issued_on": today_or(args.issued_on),
        },
    )
    result = open_ledger(settings).issue_quote(command)
    price = result.price
    print(
        f"quote {result.quote_id}: list {price.list_price}, tier discount "
        f"{price.tier_discount}%, registration uplift {price.registration_uplift}%, "
        f"net {price.net_price}"
    )
    if result.notice:
        print(f"note: {result.notice}")
    return 0


def win(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.RecordWinSchema(),
        {
            "opportunity": args.opportunity,
            "partner_code": args.partner,
            "amount": args.amount,
            "won_on": today_or(args.won_on),
        },
    )
    qualified = open_ledger(settings).record_win(command)
    kind = "qualified (incremental)" if qualified else "not qualified"
    print(f"{command.opportunity} won by {command.partner_code}: {kind} revenue")
    return 0


def lose(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        schemas.RecordLossSchema(),
        {
            "opportunity": args.opportunity,
            "lost_on": today_or(args.lost_on),
            "reason": args.reason or "",
        },
    )
    open_ledger(settings).record_loss(command)
    print(f"{command.opportunity} lost")
    return 0


def sweep(args: argparse.Namespace, settings: Settings) -> int:
    report = open_ledger(settings).sweep(parse_date("as-of", args.as_of))
    print(to_json([report]) if args.json else _render_sweep(report))
    return 0


def history(args: argparse.Namespace, settings: Settings) -> int:
    with ProjectionsConnection(settings) as connection:
        decisions = views.decision_history(connection, args.opportunity)
        quotes = views.quotes_for(connection, args.opportunity)
    if args.json:
        print(
            to_json(
                [
                    {
                        "decisions": [vars(d) for d in decisions],
                        "quotes": [vars(q) for q in quotes],
                    }
                ]
            )
        )
        return 0
    print(render_decisions(decisions))
    if quotes:
        print()
        print(render_quotes(quotes))
    return 0


def expiring(args: argparse.Namespace, settings: Settings) -> int:
    as_of = parse_date("as-of", args.as_of) if args.as_of else date.today()
    if args.within < 0:
        raise InvalidInput("within: must not be negative")
    with ProjectionsConnection(settings) as connection:
        found = views.expiring_registrations(connection, as_of, args.within)
    print(to_json(found) if args.json else render_decisions(found))
    return 0


def decisions(args: argparse.Namespace, settings: Settings) -> int:
    with ProjectionsConnection(settings) as connection:
        counts = views.decision_counts(connection)
    print(to_json(counts) if args.json else render_decision_counts(counts))
    return 0


def tiers(args: argparse.Namespace, settings: Settings) -> int:
    with ProjectionsConnection(settings) as connection:
        changes = views.tier_history(connection, args.code)
    print(to_json(changes) if args.json else render_tier_history(changes))
    return 0


def add_program_commands(commands: Any, partner: Any) -> None:
    """Register the program's subcommands on the `ledger` parser."""
    _add_rules_commands(commands)
    _add_partner_commands(partner)
    deal = commands.add_parser(
        "deal", help="deal registration, quotes and outcomes"
    ).add_subparsers(dest="deal_command", required=True)
    _add_deal_commands(deal)
    _add_deal_queries(deal)
    _add_program_queries(commands)


def _add_rules_commands(commands: Any) -> None:
    rules_parser = commands.add_parser("rules", help="program rules").add_subparsers(
        dest="rules_command", required=True
    )
    p = rules_parser.add_parser(
        "publish",
        help="publish a versioned rule set (JSON file)",
        epilog="example: ledger rules publish infra/default_rules.json",
    )
    p.add_argument("file", nargs="?", default=str(DEFAULT_RULES))
    p.set_defaults(handler=publish_rules)


def _add_partner_commands(partner: Any) -> None:
    p = partner.add_parser("revoke", help="revoke an individual's certification")
    p.add_argument("code")
    p.add_argument("--individual", required=True)
    p.add_argument("--kind", required=True, help=choices(CertificationKind))
    p.add_argument("--specialization", required=True, help=choices(Specialization))
    p.add_argument("--revoked-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=revoke)

    p = partner.add_parser(
        "specialize",
        help="award a specialization under a signed agreement",
        epilog="example: ledger partner specialize antemeta --specialization "
        "data-protection --contract SPEC-2010-001",
    )
    p.add_argument("code")
    p.add_argument("--specialization", required=True, help=choices(Specialization))
    p.add_argument("--contract", required=True, help="the signed agreement's reference")
    p.add_argument("--awarded-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=specialize)

    p = partner.add_parser("tiers", help="tier changes with their evidence")
    p.add_argument("code", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=tiers)


def _add_deal_commands(deal: Any) -> None:
    p = deal.add_parser(
        "register",
        help="register an opportunity and decide exclusivity",
        epilog="example: ledger deal register acme-backup-2011 --end-customer "
        "ACME --specialization data-protection --partner antemeta "
        "--value 120000 --expected-close 2011-03-31 --evidence 'POC done'",
    )
    p.add_argument("opportunity", help="the opportunity's reference")
    p.add_argument("--end-customer", required=True)
    p.add_argument("--specialization", required=True, help=choices(Specialization))
    p.add_argument("--partner", required=True)
    p.add_argument("--value", required=True, help="estimated value")
    p.add_argument("--expected-close", required=True, help="YYYY-MM-DD")
    p.add_argument("--evidence", help="pre-sales work done (required for protection)")
    p.add_argument("--renewal", action="store_true", help="a renewal, not new business")
    p.add_argument("--registered-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=register)

    p = deal.add_parser("engage-vendor", help="the vendor's own sales already work this deal")
    p.add_argument("opportunity")
    p.add_argument("--end-customer", required=True)
    p.add_argument("--specialization", required=True, help=choices(Specialization))
    p.add_argument("--engaged-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--note")
    p.set_defaults(handler=engage)

    p = deal.add_parser("release", help="the protected partner gives up its exclusivity")
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--released-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason")
    p.set_defaults(handler=release)

    p = deal.add_parser("quote", help="price and record a quote for a partner")
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--list-price", required=True)
    p.add_argument("--issued-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=quote)

    p = deal.add_parser("win", help="close as won")
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--amount", required=True)
    p.add_argument("--won-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=win)

    p = deal.add_parser("lose", help="close as lost")
    p.add_argument("opportunity")
    p.add_argument("--lost-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason")
    p.set_defaults(handler=lose)


def _add_deal_queries(deal: Any) -> None:
    p = deal.add_parser(
        "history",
        help="an opportunity's decisions and quotes",
        epilog="example: ledger deal history acme-backup-2011 --json",
    )
    p.add_argument("opportunity")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=history)

    p = deal.add_parser("expiring", help="protections that lapse within N days")
    p.add_argument("--within", type=int, default=30, help="days (default 30)")
    p.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=expiring)


def _add_program_queries(commands: Any) -> None:
    p = commands.add_parser("decisions", help="exclusivity decisions by outcome and reason")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=decisions)

    p = commands.add_parser(
        "sweep",
        help="apply expiries and due tier reviews up to a date",
        epilog="example: ledger sweep --as-of 2011-12-01",
    )
    p.add_argument("--as-of", required=True, help="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=sweep)


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


def render_decisions(decisions: list[views.DecisionView]) -> str:
    if not decisions:
        return "no decisions"
    return table(
        ["opportunity", "partner", "outcome", "reason", "rules", "decided", "valid until", "ended"],
        [
            [
                d.opportunity,
                d.partner,
                d.outcome,
                d.reason_code,
                d.rules_version,
                d.decided_on,
                d.valid_until or "-",
                f"{d.ended_on} ({d.end_reason})" if d.ended_on else "-",
            ]
            for d in decisions
        ],
    )


def render_quotes(quotes: list[views.QuoteView]) -> str:
    return table(
        ["partner", "tier", "list", "tier disc %", "uplift %", "net", "protection", "issued"],
        [
            [
                q.partner,
                q.tier,
                q.list_price,
                q.tier_discount,
                q.registration_uplift,
                q.net_price,
                q.protection,
                q.issued_on,
            ]
            for q in quotes
        ],
    )


def render_decision_counts(counts: list[views.DecisionCount]) -> str:
    if not counts:
        return "no decisions"
    return table(
        ["outcome", "reason", "count"], [[c.outcome, c.reason_code, c.count] for c in counts]
    )


def render_tier_history(changes: list[views.TierChangeView]) -> str:
    if not changes:
        return "no tier changes"
    return table(
        ["partner", "from", "to", "reviewed", "rules", "qualified revenue", "evidence events"],
        [
            [
                c.partner,
                c.from_tier,
                c.to_tier,
                c.reviewed_on,
                c.rules_version,
                c.qualified_revenue,
                len(c.evidence_event_ids),
            ]
            for c in changes
        ],
    )


def _render_sweep(report: Any) -> str:
    return "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in vars(report).items())
