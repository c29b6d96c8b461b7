"""`ledger deal` commands that decide who is protected: register, engage-vendor, release."""

from __future__ import annotations

import argparse
from typing import Any

from contracts import commands as schemas
from domain.program import Specialization
from infra.cli_support import choices, today_or, validated
from infra.event_store import open_ledger
from infra.settings import Settings


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
    # valid_until is the first day no longer protected
    kind = "exclusive" if decision.granted else "preferential conditions, not exclusive"
    until = f" until {decision.valid_until} ({kind})" if decision.valid_until else ""
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


def add_registration_commands(deal: Any) -> None:
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

    p = deal.add_parser(
        "engage-vendor",
        help="the vendor's own sales already work this deal",
        epilog="example: ledger deal engage-vendor acme-backup-2011 --end-customer ACME "
        "--specialization data-protection --engaged-on 2011-01-10 --note 'key account'",
    )
    p.add_argument("opportunity")
    p.add_argument("--end-customer", required=True)
    p.add_argument("--specialization", required=True, help=choices(Specialization))
    p.add_argument("--engaged-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--note")
    p.set_defaults(handler=engage)

    p = deal.add_parser(
        "release",
        help="the protected partner gives up its exclusivity",
        epilog="example: ledger deal release acme-backup-2011 --partner antemeta "
        "--released-on 2011-02-01 --reason 'customer postponed'",
    )
    p.add_argument("opportunity")
    p.add_argument("--partner", required=True)
    p.add_argument("--released-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason")
    p.set_defaults(handler=release)
