"""Command throughput: deal registrations through `Ledger.register_deal`, end to end.

Each `register_deal` call is one command: it loads the partner and the program, loads or opens
the opportunity, decides exclusivity and saves the opportunity's new events in one transaction.
The same workload runs on a fresh SQLite file and on a fresh, dedicated PostgreSQL database.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from benchmarks.measurements import Timing, require_count
from contracts.inputs.rules_schema import DEFAULT_RULES_FILE, load_rules_file
from domain.commands import (
    AwardSpecialization,
    EnrollPartner,
    PublishRules,
    RecordCertification,
    RegisterDeal,
)
from domain.exclusivity import ExclusivityReason
from domain.ledger import Ledger
from domain.program import CertificationKind, Specialization, Tier
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import redact

PARTNERS = 20
SPECIALISTS = 10  # the first SPECIALISTS partners are certified and awarded AREA
AREA = Specialization.DATA_PROTECTION
# Technical and sales people a specialist certifies: the default rules ask for 2 and 1.
CERTIFIED = ((CertificationKind.SALES, 1), (CertificationKind.TECHNICAL, 2))
SET_UP_ON = date(2010, 11, 2)
REGISTERED_ON = SET_UP_ON + timedelta(days=1)  # every registration falls in one protection window
POSTGRES_ADMIN_VARIABLES = ("LEDGER_TEST_POSTGRES_URL", "BENCH_POSTGRES_ADMIN_URL")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL admin URL given for the benchmark does not work."""


def prepare_program(ledger: Ledger) -> list[str]:
    """Untimed: rules, PARTNERS partners, SPECIALISTS of them awarded AREA; their codes."""
    ledger.publish_rules(PublishRules(load_rules_file(DEFAULT_RULES_FILE)))
    codes = [f"bench-reseller-{n:02d}" for n in range(PARTNERS)]
    for code in codes:
        ledger.enroll_partner(EnrollPartner(code, f"Reseller {code}", Tier.SILVER, SET_UP_ON))
    specialists = codes[:SPECIALISTS]
    for code in specialists:
        for kind, count in CERTIFIED:
            for n in range(count):
                ledger.record_certification(
                    RecordCertification(
                        code,
                        f"{code} {kind.value} {n}",
                        kind,
                        AREA,
                        SET_UP_ON,
                        SET_UP_ON + timedelta(days=730),
                    )
                )
        ledger.award_specialization(AwardSpecialization(code, AREA, f"contract-{code}", SET_UP_ON))
    return specialists


def registrations(specialists: list[str], count: int) -> list[RegisterDeal]:
    """`count` registrations, two per opportunity by two different specialists in turn.

    The first registrant of an opportunity is granted protection, the second is denied as
    already protected: both take the full decision path.
    """
    return [
        RegisterDeal(
            opportunity=f"BENCH-OPP-{n // 2:06d}",
            end_customer=f"Customer {n // 2}",
            specialization=AREA,
            partner_code=specialists[(n // 2 + n % 2) % len(specialists)],
            estimated_value=Decimal(50_000),
            expected_close=REGISTERED_ON + timedelta(days=60),
            presales_evidence="architecture study",
            new_business=True,
            registered_on=REGISTERED_ON,
        )
        for n in range(count)
    ]


def time_registrations(settings: Settings, count: int) -> Timing:
    """`count` `register_deal` calls on the empty event store of `settings`."""
    ledger = open_ledger(settings)
    try:
        commands = registrations(prepare_program(ledger), count)
        started = time.perf_counter()
        reasons = Counter(ledger.register_deal(command).decision.reason for command in commands)
        seconds = time.perf_counter() - started
    finally:
        ledger.close()
    # Every command must have taken the decision it was designed to, or the figure means little.
    granted = ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT
    require_count("registrations granted", reasons[granted], (count + 1) // 2)
    require_count(
        "registrations denied as already protected",
        reasons[ExclusivityReason.ALREADY_PROTECTED],
        count // 2,
    )
    return Timing(count, seconds)


def postgres_admin_url(environ: Mapping[str, str]) -> str | None:
    for name in POSTGRES_ADMIN_VARIABLES:
        if url := environ.get(name, "").strip():
            return url
    return None


@contextmanager
def dedicated_database(admin_url: str) -> Iterator[str]:
    """A new, uniquely named database for the duration of the block; dropped afterwards."""
    name = f"ledger_bench_{uuid.uuid4().hex[:12]}"
    admin_execute(admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        admin_execute(admin_url, drop.format(sql.Identifier(name)))


def check_postgres(environ: Mapping[str, str]) -> None:
    """Fail at once, not after minutes of other measurements, if the admin URL does not work."""
    if admin_url := postgres_admin_url(environ):
        admin_execute(admin_url, sql.SQL("SELECT 1"))


def admin_execute(admin_url: str, statement: sql.SQL | sql.Composed) -> None:
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(statement)
    except psycopg.Error as error:
        raise PostgresUnavailable(
            f"PostgreSQL at {redact(admin_url)}: {str(error).strip().splitlines()[0]} (check "
            f"{' or '.join(POSTGRES_ADMIN_VARIABLES)}, or unset them to skip PostgreSQL)"
        ) from None
