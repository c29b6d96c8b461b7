"""`ledger`: the command line for channel managers, ops and operators.

Every command validates its input at the edge; a rejected command prints which field broke
which rule, exits non-zero and writes nothing.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date

from eventsourcing.persistence import PersistenceError

from consumers.projector import ProjectionError
from contracts.commands import EnrollPartnerSchema, RecordCertificationSchema
from domain.errors import DomainError
from domain.ledger import ConcurrentUpdates
from domain.program import CertificationKind, Specialization, Tier
from infra.broker import ensure_broker
from infra.cli_program import add_program_commands
from infra.cli_support import InvalidInput, choices, parse_date, validated
from infra.demo import demo
from infra.event_store import open_ledger, sqlalchemy_url
from infra.kafka_launcher import LauncherError
from infra.output import Progress, table, to_json
from infra.partition_tails import TailReadTimeout
from infra.pipeline import KafkaUnavailable, open_projector, open_relay
from infra.relay import RelayPublishError, RelayStateMismatch
from infra.relay_lock import RelayAlreadyRunning
from infra.settings import Settings, SettingsError
from projections.database import open_projection_db
from projections.queries import PartnerStatusView, partner_statuses

EXIT_INVALID_INPUT = 2
EXIT_RULE_BROKEN = 1
EXIT_UNAVAILABLE = 3

# Failures of the infrastructure or of concurrency, not of the input: retrying may succeed.
UNAVAILABLE = (
    KafkaUnavailable,
    LauncherError,
    RelayPublishError,
    RelayStateMismatch,
    RelayAlreadyRunning,
    TailReadTimeout,
    ProjectionError,
    ConcurrentUpdates,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        result: int = args.handler(args, settings)
        return result
    except InvalidInput as error:
        print(f"error: invalid input\n{error}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    except (DomainError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_RULE_BROKEN if isinstance(error, DomainError) else EXIT_INVALID_INPUT
    except UNAVAILABLE as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except PersistenceError as error:
        # A lock timeout or a lost database connection: nothing was recorded.
        print(f"error: the event store refused the command ({error}); retry", file=sys.stderr)
        return EXIT_UNAVAILABLE


# --- commands -------------------------------------------------------------------------------


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
    as_of = parse_date("as-of", args.as_of) if args.as_of else date.today()
    views = read_statuses(settings, as_of, args.code, args.tier, args.specialization)
    if args.code and not views:
        print(f"error: no partner {args.code!r} in the partner_status projection", file=sys.stderr)
        return EXIT_RULE_BROKEN
    print(to_json(views) if args.json else render_statuses(views, as_of))
    return 0


def relay(args: argparse.Namespace, settings: Settings) -> int:
    running = open_relay(settings, open_ledger(settings))
    try:
        if args.once:
            with Progress("relay: events published") as shown:
                count = running.drain(on_progress=shown)
            print(f"relay: published up to position {running.position} ({count} events this run)")
        else:
            run_until_signalled([running.run])
    finally:
        running.close()
    return 0


def project(args: argparse.Namespace, settings: Settings) -> int:
    projector = open_projector(settings)
    try:
        if args.once:
            with Progress("projector: events projected") as shown:
                count = projector.drain(on_progress=shown)
            print(f"projector: projected {count} events")
        else:
            run_until_signalled([projector.run])
    finally:
        projector.close()
    return 0


def up(args: argparse.Namespace, settings: Settings) -> int:
    ensure_broker(settings)
    running_relay = open_relay(settings, open_ledger(settings))
    projector = open_projector(settings)
    print(f"relay and projector running against {settings.kafka_bootstrap_servers}; Ctrl-C stops")
    try:
        run_until_signalled([running_relay.run, projector.run])
    finally:
        running_relay.close()
        projector.close()
    return 0


# --- helpers --------------------------------------------------------------------------------


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


def run_until_signalled(loops: list[Callable[[threading.Event], None]]) -> None:
    """Run each loop in a thread until SIGINT or SIGTERM; a loop that fails stops the others."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def guarded(loop: Callable[[threading.Event], None]) -> None:
        try:
            loop(stop)
        except BaseException as error:  # report any failure, then stop the siblings
            errors.append(error)
            stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    threads = [threading.Thread(target=guarded, args=(loop,), daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        stop.wait(0.5)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# --- argument parsing -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ledger", description="Channel Ledger: the partner program's event-sourced ledger."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    partner = commands.add_parser("partner", help="partner commands and queries").add_subparsers(
        dest="partner_command", required=True
    )
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
        epilog="example: ledger partner status antemeta --json",
    )
    p.add_argument("code", nargs="?", help="one partner (default: all)")
    p.add_argument("--as-of", help="count certifications in force on this date (default: today)")
    p.add_argument("--tier", choices=[t.value for t in Tier], help="only partners in this tier")
    p.add_argument(
        "--specialization",
        choices=[s.value for s in Specialization],
        help="only partners holding it",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=status)

    for name, handler, what in (
        ("relay", relay, "publish stored events to Kafka"),
        ("project", project, "consume Kafka into the projections"),
    ):
        p = commands.add_parser(name, help=what)
        p.add_argument("--once", action="store_true", help="drain what is there, then exit")
        p.set_defaults(handler=handler)

    add_program_commands(commands, partner)

    p = commands.add_parser("up", help="start the broker if local, then run relay and projector")
    p.set_defaults(handler=up)
    p = commands.add_parser(
        "demo",
        help="record the seed scenario (120 partners, 15 months) and show it through the pipeline",
    )
    p.add_argument("--seed", type=int, default=2010, help="the scenario's random seed")
    p.set_defaults(handler=demo)
    return parser


if __name__ == "__main__":
    sys.exit(main())
