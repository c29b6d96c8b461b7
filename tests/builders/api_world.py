"""A small partner program for the API tests, recorded through the ledger, relayed to the real
broker and projected, plus one token per role.

antemeta holds the protection on acme-backup-2011; bigcorp registered the same deal after it
(denied) and was quoted on it; bigcorp also holds globex-dlp-2011; cloudco registered ACME under
another reference, acme-storage-2011, held for review as a suspected conflict with antemeta's.
A sweep on NOTICES_ON has told antemeta and bigcorp that their protections lapse within 30 days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from contracts.inputs.rules_schema import DEFAULT_RULES_FILE, load_rules_file
from domain.commands import (
    AwardSpecialization,
    EnrollPartner,
    IssueQuote,
    PublishRules,
    RecordCertification,
    RegisterDeal,
)
from domain.ledger import Ledger
from domain.program import CertificationKind, Specialization, Tier
from infra.roles import Role
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.tokens import StaticTokens, TokenRecord, digest
from tests.builders.pipeline import publish_and_project
from tests.fixtures.infrastructure import drop_database, ledger_env

START = date(2010, 11, 2)
PROTECTED = "acme-backup-2011"
BIGCORP_DEAL = "globex-dlp-2011"
CONFLICTED = "acme-storage-2011"  # the same customer as PROTECTED, spelled otherwise
CUSTOMERS = {PROTECTED: "ACME", BIGCORP_DEAL: "Globex", CONFLICTED: "Acme S.A."}
AS_OF = "2011-02-01"
NOTICES_ON = date(2011, 3, 15)
SPEC = Specialization.DATA_PROTECTION


@dataclass(frozen=True)
class World:
    settings: Settings
    tokens: StaticTokens
    secrets: dict[str, str]  # token name -> the token a client presents
    partner_ids: dict[str, str]
    decision_ids: dict[str, str]  # "<partner>@<opportunity>" -> decision id


TOKENS = {
    "ops": (Role.OPS, None),
    "auditor": (Role.AUDITOR, None),
    "manager": (Role.CHANNEL_MANAGER, None),
    "antemeta": (Role.PARTNER, "antemeta"),
    "bigcorp": (Role.PARTNER, "bigcorp"),
    "cloudco": (Role.PARTNER, "cloudco"),
}


def make_tokens() -> tuple[StaticTokens, dict[str, str]]:
    now = datetime(2011, 1, 1, tzinfo=UTC)
    secrets = {name: f"secret-{name}-token" for name in [*TOKENS, "revoked"]}
    records = [
        TokenRecord(f"tok-{name}", digest(secrets[name]), role, partner, now)
        for name, (role, partner) in TOKENS.items()
    ]
    records.append(
        TokenRecord("tok-revoked", digest(secrets["revoked"]), Role.OPS, None, now, revoked=now)
    )
    return StaticTokens(records), secrets


def record_program(ledger: Ledger) -> tuple[dict[str, str], dict[str, str]]:
    ledger.publish_rules(PublishRules(load_rules_file(DEFAULT_RULES_FILE)))
    partner_ids = {}
    for code in ("antemeta", "bigcorp", "cloudco"):
        partner_ids[code] = str(
            ledger.enroll_partner(EnrollPartner(code, code.title(), Tier.GOLD, START))
        )
        for individual, kind in (
            ("Sales One", CertificationKind.SALES),
            ("Tech One", CertificationKind.TECHNICAL),
            ("Tech Two", CertificationKind.TECHNICAL),
        ):
            ledger.record_certification(
                RecordCertification(
                    code, individual, kind, SPEC, START, START + timedelta(days=730)
                )
            )
    for code in ("antemeta", "bigcorp"):
        ledger.award_specialization(
            AwardSpecialization(code, SPEC, f"SPEC-{code}", date(2010, 12, 1))
        )
    decisions = {}
    for code, reference, day in (
        ("antemeta", PROTECTED, date(2011, 1, 10)),
        ("bigcorp", PROTECTED, date(2011, 1, 12)),
        ("bigcorp", BIGCORP_DEAL, date(2011, 1, 13)),
        ("cloudco", CONFLICTED, date(2011, 1, 14)),
    ):
        result = ledger.register_deal(
            RegisterDeal(
                reference,
                CUSTOMERS[reference],
                SPEC,
                code,
                Decimal(120000),
                date(2011, 3, 31),
                "POC done",
                True,
                day,
            )
        )
        decisions[f"{code}@{reference}"] = str(result.decision_id)
    for code in ("antemeta", "bigcorp"):
        ledger.issue_quote(IssueQuote(PROTECTED, code, Decimal(100000), date(2011, 1, 15)))
    return partner_ids, decisions


def build_world(settings: Settings) -> World:
    ledger = open_ledger(settings)
    try:
        partner_ids, decisions = record_program(ledger)
        # A month before the protections lapse: each holder gets its notice (and nothing else
        # is due), so the read endpoints have notices to keep to their partner.
        ledger.sweep(NOTICES_ON)
        publish_and_project(settings, ledger)
    finally:
        ledger.close()
    tokens, secrets = make_tokens()
    return World(settings, tokens, secrets, partner_ids, decisions)


def world_for(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> World:
    """The world on SQLite files, or on a PostgreSQL database of its own (dropped after)."""
    database_url = None
    if request.param == "postgres":
        admin_url = request.getfixturevalue("postgres_admin_url")
        name = f"ledger_api_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        request.addfinalizer(lambda: _drop(admin_url, name))
        database_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    env = ledger_env(kafka_bootstrap, tmp_path_factory.mktemp("api"), database_url)
    return build_world(Settings.from_env(env))


def _drop(admin_url: str, name: str) -> None:
    drop_database(admin_url, name)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def bearer(world: World, name: str) -> dict[str, str]:
    return bearer_for(world.secrets, name)


def bearer_for(secrets: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secrets[name]}"}
