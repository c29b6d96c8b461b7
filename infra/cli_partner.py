"""`ledger partner enroll | certify | status`: partners and their certifications."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from contracts.commands import EnrollPartnerSchema, RecordCertificationSchema
from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier
from infra.as_of import HistoryAsOf
from infra.cli_support import EXIT_RULE_BROKEN, choices, parse_date, validated
from infra.event_store import open_ledger, sqlalchemy_url
from infra.output import table, to_json
from infra.settings import Settings
from projections.database import open_projection_db
from projections.queries import PartnerStatusView, partner_statuses


def enroll(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        EnrollPartnerSchema(),
        {
            "code": args.code,
            "name": args.name,
            "legacy_tier": args.legacy_tier,
            "enrolled_on": args.enrolled_on or date.today().isoformat(),
        },
    )
    open_ledger(settings).enroll_partner(command)
    print(f"enrolled {command.code} ({command.legacy_tier.value})")
    return 0


def certify(args: argparse.Namespace, settings: Settings) -> int:
    command = validated(
        RecordCertificationSchema(),
        {
            "partner_code": args.code,
            "individual": args.individual,
            "kind": args.kind,
            "specialization": args.specialization,
            "effective_on": args.effective_on or date.today().isoformat(),
            "expires_on": args.expires_on,
        },
    )
    open_ledger(settings).record_certification(command)
    print(
        f"recorded {command.kind.value} certification of {command.individual} "
        f"at {command.partner_code}"
    )
    return 0


def status(args: argparse.Namespace, settings: Settings) -> int:
    if args.as_of:
        return status_as_of(args, settings, parse_date("as-of", args.as_of))
    today = date.today()
    views = read_statuses(settings, today, args.code, args.tier, args.specialization)
    if args.code and not views:
        print(f"error: no partner {args.code!r} in the partner_status projection", file=sys.stderr)
        return EXIT_RULE_BROKEN
    print(to_json(views) if args.json else render_statuses(views, today))
    return 0


def status_as_of(args: argparse.Namespace, settings: Settings, as_of: date) -> int:
    """Partner status from history as of a business date (see infra.as_of)."""
    history = HistoryAsOf(settings, as_of)
    with history as connection:
        views = partner_statuses(connection, as_of, args.code, args.tier, args.specialization)
    if args.code and not history.holds(Partner.create_id(args.code)):
        print(f"error: no partner {args.code!r} in the event store", file=sys.stderr)
        return EXIT_RULE_BROKEN
    if args.json:
        print(to_json(views))
    else:
        print(render_statuses(views, as_of) if views else f"no partners enrolled as of {as_of}")
    return 0


def read_statuses(
    settings: Settings,
    as_of: date,
    code: str | None,
    tier: str | None = None,
    specialization: str | None = None,
) -> list[PartnerStatusView]:
    engine = open_projection_db(sqlalchemy_url(settings.projections_url))
    with engine.connect() as connection:
        return partner_statuses(connection, as_of, code, tier, specialization)


def render_statuses(views: list[PartnerStatusView], as_of: date) -> str:
    if not views:
        return "no partners projected yet (run `ledger relay --once` and `ledger project --once`)"
    return table(
        [
            "partner",
            "name",
            "tier",
            "legacy",
            "specializations",
            "sales certs",
            "tech certs",
            "qualified revenue",
            "protected deals",
        ],
        [
            [
                v.code,
                v.name,
                v.tier + (" (transition)" if v.in_transition else ""),
                v.legacy_tier,
                v.specializations,
                v.active_sales_certifications,
                v.active_technical_certifications,
                v.qualified_revenue,
                v.protected_opportunities,
            ]
            for v in views
        ],
    )


def add_partner_commands(partner: Any) -> None:
    p = partner.add_parser(
        "enroll",
        help="enrol a partner",
        epilog="example: ledger partner enroll antemeta --name Antemeta "
        "--legacy-tier gold --enrolled-on 2010-11-02",
    )
    p.add_argument("code", help="partner code: lowercase letters, digits, hyphens")
    p.add_argument("--name", required=True)
    p.add_argument("--legacy-tier", required=True, help=choices(Tier))
    p.add_argument("--enrolled-on", help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=enroll)

    p = partner.add_parser(
        "certify",
        help="record a certification earned by an individual",
        epilog="example: ledger partner certify antemeta --individual "
        "'Claire Martin' --kind sales --specialization data-protection "
        "--effective-on 2010-11-15 --expires-on 2012-11-15",
    )
    p.add_argument("code", help="partner code")
    p.add_argument("--individual", required=True)
    p.add_argument("--kind", required=True, help=choices(CertificationKind))
    p.add_argument("--specialization", required=True, help=choices(Specialization))
    p.add_argument("--effective-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--expires-on", required=True, help="YYYY-MM-DD")
    p.set_defaults(handler=certify)

    p = partner.add_parser(
        "status",
        help="partner status from the projection",
        epilog="example: ledger partner status antemeta --as-of 2011-06-30 --json",
    )
    p.add_argument("code", nargs="?", help="one partner (default: all)")
    p.add_argument(
        "--as-of",
        help="answer from the event store's history as of this business date "
        "(default: today, from the live projection)",
    )
    p.add_argument("--tier", choices=[t.value for t in Tier], help="only partners in this tier")
    p.add_argument(
        "--specialization",
        choices=[s.value for s in Specialization],
        help="only partners holding it",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=status)
