"""`ledger partner ...`: enrolment, certifications, specializations, status and tier history."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from cli.declare import AS_OF_HELP, choices, command, noun
from cli.errors import EXIT_RULE_BROKEN
from domain.program import CertificationKind, Specialization, Tier

if TYPE_CHECKING:
    from infra.settings import Settings
    from projections.partner_statuses import PartnerStatusView


def enroll(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import EnrollPartnerSchema

    command = validated(
        EnrollPartnerSchema(),
        {
            "code": args.code,
            "name": args.name,
            "legacy_tier": args.legacy_tier,
            "enrolled_on": args.enrolled_on or date.today().isoformat(),
        },
    )
    return record(
        args,
        settings,
        "enroll-partner",
        "enroll_partner",
        command,
        partial(answers.enrolled, command),
        lambda _: f"enrolled {command.code} ({command.legacy_tier.value})",
    )


def certify(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import RecordCertificationSchema

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
    return record(
        args,
        settings,
        "record-certification",
        "record_certification",
        command,
        lambda _: answers.as_recorded(RecordCertificationSchema(), command),
        lambda _: (
            f"recorded {command.kind.value} certification of {command.individual} "
            f"at {command.partner_code}"
        ),
    )


def revoke(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import RevokeCertificationSchema

    command = validated(
        RevokeCertificationSchema(),
        {
            "partner_code": args.code,
            "individual": args.individual,
            "kind": args.kind,
            "specialization": args.specialization,
            "revoked_on": today_or(args.revoked_on),
            "reason": args.reason,
        },
    )
    return record(
        args,
        settings,
        "revoke-certification",
        "revoke_certification",
        command,
        lambda _: answers.as_recorded(RevokeCertificationSchema(), command),
        lambda _: f"revoked {command.kind.value} certification of {command.individual}",
    )


def specialize(args: argparse.Namespace, settings: Settings) -> int:
    from cli.recording import record
    from cli.support import today_or, validated
    from contracts.inputs import command_answers as answers
    from contracts.inputs.commands import AwardSpecializationSchema

    command = validated(
        AwardSpecializationSchema(),
        {
            "partner_code": args.code,
            "specialization": args.specialization,
            "contract_reference": args.contract,
            "awarded_on": today_or(args.awarded_on),
        },
    )
    return record(
        args,
        settings,
        "award-specialization",
        "award_specialization",
        command,
        lambda _: answers.as_recorded(AwardSpecializationSchema(), command),
        lambda _: f"{command.partner_code} specialized in {command.specialization.value}",
    )


def status(args: argparse.Namespace, settings: Settings) -> int:
    from cli.support import parse_date

    if args.as_of:
        return status_as_of(args, settings, parse_date("as-of", args.as_of))
    today = date.today()
    views = read_statuses(settings, today, args.code, args.tier, args.specialization)
    if args.code and not views:
        print(f"error: no partner {args.code!r} in the partner_status projection", file=sys.stderr)
        return EXIT_RULE_BROKEN
    print(json_statuses(args.code, views) if args.json else render_statuses(views, today))
    return 0


def status_as_of(args: argparse.Namespace, settings: Settings, as_of: date) -> int:
    """Partner status from history as of a business date (see infra.audit.as_of)."""
    from domain.partner import Partner
    from infra.audit.as_of import HistoryAsOf
    from projections.partner_statuses import partner_statuses

    history = HistoryAsOf(settings, as_of)
    with history as connection:
        views = partner_statuses(connection, as_of, args.code, args.tier, args.specialization)
    if args.code and not history.holds(Partner.create_id(args.code)):
        print(f"error: no partner {args.code!r} in the event store", file=sys.stderr)
        return EXIT_RULE_BROKEN
    if args.json:
        print(json_statuses(args.code, views))
    else:
        print(render_statuses(views, as_of) if views else f"no partners enrolled as of {as_of}")
    return 0


def json_statuses(code: str | None, views: list[Any]) -> str:
    """`--json`: the list a query gives, or, asked about one CODE, that partner's object (null
    when the partner was not enrolled yet on an --as-of date)."""
    from cli.support import to_json_object
    from infra.output import to_json

    if code is None:
        return to_json(views)
    return to_json_object(views[0]) if views else "null"


def read_statuses(
    settings: Settings,
    as_of: date,
    code: str | None,
    tier: str | None = None,
    specialization: str | None = None,
) -> list[PartnerStatusView]:
    from cli.reading import ProjectionsConnection
    from projections.partner_statuses import partner_statuses

    with ProjectionsConnection(settings) as connection:
        return partner_statuses(connection, as_of, code, tier, specialization)


def render_statuses(views: list[PartnerStatusView], as_of: date) -> str:
    from infra.output import table

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


def tiers(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import answering_from
    from cli.renderers import render_tier_history
    from cli.support import optional_date
    from infra.output import to_json
    from projections.models.tier_history import tier_history

    with answering_from(settings, optional_date("as-of", args.as_of)) as connection:
        changes = tier_history(connection, args.code)
    print(to_json(changes) if args.json else render_tier_history(changes))
    return 0


def at_risk(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import answering_from
    from cli.renderers import render_tiers_at_risk
    from cli.support import optional_date
    from infra.output import to_json
    from projections.models.tier_reviews import tiers_at_risk

    with answering_from(settings, optional_date("as-of", args.as_of)) as connection:
        found = tiers_at_risk(connection)
    print(to_json(found) if args.json else render_tiers_at_risk(found))
    return 0


def plans(args: argparse.Namespace, settings: Settings) -> int:
    from cli.reading import answering_from
    from cli.renderers import render_transition_plans
    from cli.support import optional_date
    from infra.output import to_json
    from projections.models.transition_plans import transition_plans

    with answering_from(settings, optional_date("as-of", args.as_of)) as connection:
        found = transition_plans(connection)
    print(to_json(found) if args.json else render_transition_plans(found))
    return 0


def declare(commands: Any) -> None:
    partner = noun(commands, "partner", "partner commands and queries")
    p = command(
        partner,
        "enroll",
        enroll,
        help="enrol a partner",
        example="partner enroll antemeta --name Antemeta --legacy-tier gold "
        "--enrolled-on 2010-11-02",
        writes=True,
    )
    p.add_argument("code", help="partner code: lowercase letters, digits, hyphens")
    p.add_argument("--name", required=True)
    p.add_argument("--legacy-tier", required=True, help=choices(Tier))
    p.add_argument("--enrolled-on", help="YYYY-MM-DD (default: today)")

    p = command(
        partner,
        "certify",
        certify,
        help="record a certification earned by an individual",
        example="partner certify antemeta --individual 'Claire Martin' --kind sales "
        "--specialization data-protection --effective-on 2010-11-15 --expires-on 2012-11-15",
        writes=True,
    )
    p.add_argument("code", help="partner code")
    _individual_certification(p)
    p.add_argument("--effective-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--expires-on", required=True, help="YYYY-MM-DD")

    p = command(
        partner,
        "status",
        status,
        help="partner status from the projection",
        example="partner status antemeta --as-of 2011-06-30 --json",
        as_of="answer from the event store's history as of this business date "
        "(default: today, from the live projection)",
        json=True,
    )
    p.add_argument("code", nargs="?", help="one partner (default: all)")
    p.add_argument("--tier", choices=[t.value for t in Tier], help="only partners in this tier")
    p.add_argument(
        "--specialization",
        choices=[s.value for s in Specialization],
        help="only partners holding it",
    )

    p = command(
        partner,
        "revoke",
        revoke,
        help="revoke an individual's certification",
        example="partner revoke antemeta --individual 'Claire Martin' --kind sales "
        "--specialization data-protection --revoked-on 2011-05-02 --reason 'left the company'",
        writes=True,
    )
    p.add_argument("code")
    _individual_certification(p)
    p.add_argument("--revoked-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--reason", required=True)

    p = command(
        partner,
        "specialize",
        specialize,
        help="award a specialization under a signed agreement",
        example="partner specialize antemeta --specialization data-protection "
        "--contract SPEC-2010-001",
        writes=True,
    )
    p.add_argument("code")
    p.add_argument("--specialization", required=True, help=choices(Specialization))
    p.add_argument("--contract", required=True, help="the signed agreement's reference")
    p.add_argument("--awarded-on", help="YYYY-MM-DD (default: today)")

    p = command(
        partner,
        "tiers",
        tiers,
        help="tier changes with their evidence",
        example="partner tiers antemeta --as-of 2011-12-31 --json",
        as_of=AS_OF_HELP,
        json=True,
    )
    p.add_argument("code", nargs="?")
    command(
        partner,
        "at-risk",
        at_risk,
        help="tiers at risk: a downgrade announced, or a tier held only by a transition plan",
        example="partner at-risk --as-of 2012-01-30 --json",
        as_of=AS_OF_HELP,
        json=True,
    )
    command(
        partner,
        "plans",
        plans,
        help="legacy partners' transition plans: floor, due date, what they lacked",
        example="partner plans --json",
        as_of=AS_OF_HELP,
        json=True,
    )


def _individual_certification(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--individual", required=True)
    parser.add_argument("--kind", required=True, help=choices(CertificationKind))
    parser.add_argument("--specialization", required=True, help=choices(Specialization))
