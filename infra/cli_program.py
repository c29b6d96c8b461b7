"""`ledger` commands for the program: rules, specializations, deals, quotes, time, and the
queries ops and auditors run on the projections.

The deal commands and the queries live in their own modules; this one wires them all onto the
parser, in the order `ledger --help` lists them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from contracts import commands as schemas
from contracts.rules_schema import RulesFileError, load_rules_file
from domain.commands import PublishRules
from domain.program import CertificationKind, Specialization
from infra.cli_deal_closing import add_closing_commands
from infra.cli_deal_registration import add_registration_commands
from infra.cli_queries import add_deal_queries, add_partner_queries, add_program_queries
from infra.cli_renderers import render_simulation
from infra.cli_support import InvalidInput, choices, parse_date, today_or, validated
from infra.event_store import open_ledger
from infra.output import to_json
from infra.settings import Settings
from projections.simulation import simulate

DEFAULT_RULES = Path(__file__).with_name("default_rules.json")


def publish_rules(args: argparse.Namespace, settings: Settings) -> int:
    try:
        rules = load_rules_file(Path(args.file))
    except RulesFileError as error:
        raise InvalidInput(str(error)) from None
    open_ledger(settings).publish_rules(PublishRules(rules))
    print(f"published rules {rules.version} effective {rules.effective_from}")
    return 0


def simulate_rules(args: argparse.Namespace, settings: Settings) -> int:
    """Replay the recorded history under a proposed rule set; nothing is recorded anywhere."""
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


def sweep(args: argparse.Namespace, settings: Settings) -> int:
    report = open_ledger(settings).sweep(parse_date("as-of", args.as_of))
    print(to_json([report]) if args.json else _render_sweep(report))
    return 0


def _render_sweep(report: Any) -> str:
    return "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in vars(report).items())


def add_program_commands(commands: Any, partner: Any) -> None:
    """Register the program's subcommands on the `ledger` parser."""
    _add_rules_commands(commands)
    _add_partner_commands(partner)
    add_partner_queries(partner)
    deal = commands.add_parser(
        "deal", help="deal registration, quotes and outcomes"
    ).add_subparsers(dest="deal_command", required=True)
    add_registration_commands(deal)
    add_closing_commands(deal)
    add_deal_queries(deal)
    add_program_queries(commands)
    _add_sweep_command(commands)


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
    p = rules_parser.add_parser(
        "simulate",
        help="what-if: replay the recorded history under a proposed rule set, without "
        "recording anything, and show per partner what would differ",
        epilog="example: ledger rules simulate proposed.json --from 2011-06-01 --json",
    )
    p.add_argument("file")
    p.add_argument(
        "--from",
        dest="from_date",
        help="the proposal replaces the recorded rules from this date (default: its own "
        "effective_from)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=simulate_rules)


def _add_partner_commands(partner: Any) -> None:
    p = partner.add_parser(
        "revoke",
        help="revoke an individual's certification",
        epilog="example: ledger partner revoke antemeta --individual 'Claire Martin' --kind sales "
        "--specialization data-protection --revoked-on 2011-05-02 --reason 'left the company'",
    )
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


def _add_sweep_command(commands: Any) -> None:
    p = commands.add_parser(
        "sweep",
        help="apply expiries and due tier reviews up to a date",
        epilog="example: ledger sweep --as-of 2011-12-01",
    )
    p.add_argument("--as-of", required=True, help="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=sweep)
