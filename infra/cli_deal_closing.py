"""`ledger deal` commands from quote to close: quote, win, lose."""

from __future__ import annotations

import argparse
from typing import Any

from contracts import commands as schemas
from infra.cli_support import today_or, validated
from infra.event_store import open_ledger
from infra.settings import Settings


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
            "lost_to": args.lost_to,
        },
    )
    open_ledger(settings).record_loss(command)
    print(f"{command.opportunity} lost")
    return 0


def add_closing_commands(deal: Any) -> None:
    p = deal.add_parser(
        "quote",
        help="price and record a quote for a partner",
        epilog="example: ledger deal quote acme-backup-2011 --partner antemeta "
        "--list-price 100000 --issued-on 2011-02-15",
    )
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--list-price", required=True)
    p.add_argument("--issued-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=quote)

    p = deal.add_parser(
        "win",
        help="close as won",
        epilog="example: ledger deal win acme-backup-2011 --partner antemeta --amount 95000 "
        "--won-on 2011-03-28",
    )
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--amount", required=True)
    p.add_argument("--won-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=win)

    p = deal.add_parser(
        "lose",
        help="close as lost",
        epilog="example: ledger deal lose acme-backup-2011 --lost-on 2011-03-28 "
        "--reason 'price' --lost-to 'Rival Corp'",
    )
    p.add_argument("opportunity")
    p.add_argument("--lost-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason")
    p.add_argument("--lost-to", help="who won the deal instead, when known")
    p.set_defaults(handler=lose)
