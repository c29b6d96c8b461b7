"""`ledger deal ...`: registration and the exclusivity decision, quotes, outcomes, and queries."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from cli.declare import AS_OF_HELP, choices, command, noun
from cli.errors import EXIT_RULE_BROKEN, InvalidInput
from domain.program import Specialization

if TYPE_CHECKING:
    from infra.settings import Settings

MAX_WITHIN_DAYS = 3650


def register(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import RegisterDealSchema

    command = validated(
        RegisterDealSchema(),
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
            "company_identifier": args.company_id,
        },
    )
    return record(
        args, settings, "register-deal", "register_deal", command, answers.registration, _decided
    )


def _decided(answer: dict[str, Any]) -> str:
    from domain.exclusivity import ExclusivityReason

    # valid_until is the first day no longer protected
    granted = answer["outcome"] == "granted"
    kind = "exclusive" if granted else "preferential conditions, not exclusive"
    until = f" until {answer['valid_until']} ({kind})" if answer["valid_until"] else ""
    # Under review: the registrant learns that, never which other opportunity it matched.
    under_review = ExclusivityReason(answer["reason_code"]).under_review
    review = " (waiting for a channel manager's review)" if under_review else ""
    return (
        f"{answer['reason_code']}{until}{review} (decision {answer['decision_id']}, "
        f"rules {answer['rules_version']})"
    )


def engage(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import EngageVendorSalesSchema

    command = validated(
        EngageVendorSalesSchema(),
        {
            "opportunity": args.opportunity,
            "end_customer": args.end_customer,
            "specialization": args.specialization,
            "engaged_on": today_or(args.engaged_on),
            "note": args.note or "",
        },
    )
    return record(
        args,
        settings,
        "engage-vendor-sales",
        "engage_vendor_sales",
        command,
        lambda _: answers.as_recorded(EngageVendorSalesSchema(), command),
        lambda _: f"vendor sales engaged on {command.opportunity}",
    )


def release(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import ReleaseExclusivitySchema

    command = validated(
        ReleaseExclusivitySchema(),
        {
            "opportunity": args.opportunity,
            "partner_code": args.partner,
            "released_on": today_or(args.released_on),
            "reason": args.reason or "",
        },
    )
    return record(
        args,
        settings,
        "release-exclusivity",
        "release_exclusivity",
        command,
        lambda _: answers.as_recorded(ReleaseExclusivitySchema(), command),
        lambda _: f"{command.partner_code} released its protection on {command.opportunity}",
    )


def quote(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import IssueQuoteSchema

    command = validated(
        IssueQuoteSchema(),
        {
            "opportunity": args.opportunity,
            "partner_code": args.partner,
            "list_price": args.list_price,
            "issued_on": today_or(args.issued_on),
        },
    )
    return record(args, settings, "issue-quote", "issue_quote", command, answers.quote, _quoted)


def _quoted(answer: dict[str, Any]) -> str:
    text = (
        f"quote {answer['quote_id']}: list {answer['list_price']}, tier discount "
        f"{answer['tier_discount']}%, registration uplift {answer['registration_uplift']}%, "
        f"net {answer['net_price']}"
    )
    return text + (f"\nnote: {answer['notice']}" if answer["notice"] else "")


def win(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import RecordWinSchema

    command = validated(
        RecordWinSchema(),
        {
            "opportunity": args.opportunity,
            "partner_code": args.partner,
            "amount": args.amount,
            "won_on": today_or(args.won_on),
        },
    )

    def won(answer: dict[str, Any]) -> str:
        kind = "qualified (incremental)" if answer["qualified"] else "not qualified"
        return f"{command.opportunity} won by {command.partner_code}: {kind} revenue"

    return record(
        args,
        settings,
        "record-win",
        "record_win",
        command,
        partial(answers.win, command.opportunity),
        won,
    )


def draw_days(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import DrawEngineerDaysSchema, draw_engineer_days

    draw = validated(
        DrawEngineerDaysSchema(),
        {
            "days": args.days,
            "consumed_on": today_or(args.on),
            "partner_code": args.partner,
            "note": args.note,
        },
    )
    return record(
        args,
        settings,
        "draw-engineer-days",
        "consume_engineer_days",
        draw_engineer_days(args.opportunity, draw),
        answers.engineer_days,
        _drawn,
    )


def _drawn(drawn: dict[str, Any]) -> str:
    return (
        f"{drawn['days']} engineer days drawn on {drawn['opportunity']} by "
        f"{drawn['partner_code']}: {drawn['days_left']} of {drawn['days_granted']} left "
        f"(protection {drawn['decision_id']})"
    )


def lose(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import RecordLossSchema

    command = validated(
        RecordLossSchema(),
        {
            "opportunity": args.opportunity,
            "lost_on": today_or(args.lost_on),
            "reason": args.reason or "",
            "lost_to": args.lost_to,
        },
    )
    return record(
        args,
        settings,
        "record-loss",
        "record_loss",
        command,
        lambda _: answers.as_recorded(RecordLossSchema(), command),
        lambda _: f"{command.opportunity} lost",
    )


def history(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import answering_from
    from cli.renderers import render_decisions, render_quotes
    from cli.support import optional_date, to_json_object
    from projections.models.exclusivity_decisions import decision_history
    from projections.models.quotes import quotes_for

    source = answering_from(settings, optional_date("as-of", args.as_of))
    with source as connection:
        decisions = decision_history(connection, args.opportunity)
        quotes = quotes_for(connection, args.opportunity)
    problem = missing_opportunity(source, args.opportunity, decisions)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_RULE_BROKEN
    if args.json:
        found = {"decisions": [vars(d) for d in decisions], "quotes": [vars(q) for q in quotes]}
        print(to_json_object(found))
        return 0
    print(render_decisions(decisions))
    if quotes:
        print()
        print(render_quotes(quotes))
    return 0


def missing_opportunity(source: Any, reference: str, decisions: list[Any]) -> str | None:
    from domain.opportunity import Opportunity
    from infra.audit.as_of import HistoryAsOf

    if isinstance(source, HistoryAsOf):
        # Known to the store but not yet registered on that date: an empty answer.
        if source.holds(Opportunity.create_id(reference.strip())):
            return None
        return f"no opportunity {reference!r} in the event store"
    # A deal with no decision has not been registered (or not yet projected).
    return None if decisions else f"no opportunity {reference!r} in the projections"


def statement(args: argparse.Namespace, settings: Settings) -> int:
    from cli.renderers import render_statement
    from cli.support import optional_date, to_json_object
    from infra.audit.explain import NoHistoryBefore
    from infra.audit.statement import NoStatement, statement_for
    from infra.store.event_store import open_ledger

    if not args.partner.strip():
        raise InvalidInput("partner: give the registrant's partner code")
    as_of = optional_date("as-of", args.as_of)
    ledger = open_ledger(settings)
    try:
        found = statement_for(ledger, args.opportunity, args.partner, as_of)
    except (NoStatement, NoHistoryBefore) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_RULE_BROKEN
    finally:
        ledger.close()
    print(to_json_object(found) if args.json else render_statement(found))
    return 0


def expiring(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import answering_from
    from cli.renderers import render_decisions
    from cli.support import optional_date
    from infra.output import to_json
    from projections.models.exclusivity_decisions import expiring_registrations

    given = optional_date("as-of", args.as_of)
    if not 0 <= args.within <= MAX_WITHIN_DAYS:
        raise InvalidInput(f"within: must be between 0 and {MAX_WITHIN_DAYS} days")
    with answering_from(settings, given) as connection:
        found = expiring_registrations(connection, given or date.today(), args.within)
    print(to_json(found) if args.json else render_decisions(found))
    return 0


def reviews(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import answering_from
    from cli.renderers import render_reviews
    from infra.output import to_json
    from projections.models.reviews import pending_reviews

    with answering_from(settings, None) as connection:
        found = pending_reviews(connection)
    print(to_json(found) if args.json else render_reviews(found))
    return 0


def declare(commands: Any) -> None:
    deal = noun(commands, "deal", "deal registration, quotes and outcomes")
    p = command(
        deal,
        "register",
        register,
        help="register an opportunity and decide exclusivity",
        example="deal register acme-backup-2011 --end-customer ACME --specialization "
        "data-protection --partner antemeta --value 120000 --expected-close 2011-03-31 "
        "--evidence 'POC done'",
        writes=True,
    )
    p.add_argument("opportunity", help="the opportunity's reference")
    _customer_and_area(p)
    p.add_argument("--partner", required=True)
    p.add_argument("--value", required=True, help="estimated value")
    p.add_argument("--expected-close", required=True, help="YYYY-MM-DD")
    p.add_argument("--evidence", help="pre-sales work done (required for protection)")
    p.add_argument("--renewal", action="store_true", help="a renewal, not new business")
    p.add_argument("--registered-on", help="YYYY-MM-DD (default: today)")
    p.add_argument(
        "--company-id",
        help="the customer's SIREN, SIRET or EU VAT number (recognises it under any name)",
    )

    p = command(
        deal,
        "engage-vendor",
        engage,
        help="the vendor's own sales already work this deal",
        example="deal engage-vendor acme-backup-2011 --end-customer ACME "
        "--specialization data-protection --engaged-on 2011-01-10 --note 'key account'",
        writes=True,
    )
    p.add_argument("opportunity")
    _customer_and_area(p)
    p.add_argument("--engaged-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--note")

    p = command(
        deal,
        "release",
        release,
        help="the protected partner gives up its exclusivity",
        example="deal release acme-backup-2011 --partner antemeta --released-on 2011-02-01 "
        "--reason 'customer postponed'",
        writes=True,
    )
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--released-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason")

    p = command(
        deal,
        "quote",
        quote,
        help="price and record a quote for a partner",
        example="deal quote acme-backup-2011 --partner antemeta --list-price 100000 "
        "--issued-on 2011-02-15",
        writes=True,
    )
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--list-price", required=True)
    p.add_argument("--issued-on", help="YYYY-MM-DD (default: today)")

    p = command(
        deal,
        "win",
        win,
        help="close as won",
        example="deal win acme-backup-2011 --partner antemeta --amount 95000 --won-on 2011-03-28",
        writes=True,
    )
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--amount", required=True)
    p.add_argument("--won-on", help="YYYY-MM-DD (default: today)")

    p = command(
        deal,
        "draw-days",
        draw_days,
        help="draw vendor pre-sales engineer days against a protection",
        example="deal draw-days acme-backup-2011 2 --on 2011-02-10 --note 'architecture workshop'",
        writes=True,
    )
    p.add_argument("opportunity", help="the opportunity's reference")
    p.add_argument("days", help="engineer days drawn (at least 1, within what the grant has left)")
    p.add_argument("--on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--partner", help="the protected partner, checked (default: the holder)")
    p.add_argument("--note")

    p = command(
        deal,
        "lose",
        lose,
        help="close as lost",
        example="deal lose acme-backup-2011 --lost-on 2011-03-28 --reason 'price' "
        "--lost-to 'Rival Corp'",
        writes=True,
    )
    p.add_argument("opportunity")
    p.add_argument("--lost-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason")
    p.add_argument("--lost-to", help="who won the deal instead, when known")

    p = command(
        deal,
        "history",
        history,
        help="an opportunity's decisions and quotes",
        example="deal history acme-backup-2011 --json",
        as_of=AS_OF_HELP,
        json=True,
    )
    p.add_argument("opportunity")

    p = command(
        deal,
        "statement",
        statement,
        help="a partner's statement on its own registration: outcome, rule, what counted, "
        "what would have changed it",
        example="deal statement acme-backup-2011 --partner antemeta --json",
        as_of=AS_OF_HELP + " (the latest decision made on or before it)",
        json=True,
    )
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True, help="the registrant's partner code")

    p = command(
        deal,
        "expiring",
        expiring,
        help="protections that lapse within N days",
        example="deal expiring --within 14 --as-of 2011-06-30 --json",
        as_of=AS_OF_HELP + " (default: today, from the live projections)",
        json=True,
    )
    p.add_argument("--within", type=int, default=30, help="days (default 30)")

    command(
        deal,
        "reviews",
        reviews,
        help="registrations waiting for a channel manager (suspected conflicts)",
        example="deal reviews --json",
        json=True,
    )


def _customer_and_area(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--end-customer", required=True)
    parser.add_argument("--specialization", required=True, help=choices(Specialization))
