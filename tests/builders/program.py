"""The program the ledger tests start from: default rules, an in-memory ledger, specialists.

Dates default to the first weeks of the program: partners enrolled on its first day, a team of
one sales and two technical people certified mid-November, a contract signed on 1 December.
"""

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.commands import (
    AwardSpecialization,
    EnrollPartner,
    PublishRules,
    RecordCertification,
    RegisterDeal,
)
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.program import CertificationKind, Specialization, Tier
from domain.rules import ProgramRules

ROOT = Path(__file__).resolve().parents[2]
CURRENT_RULES_FILE = ROOT / "domain" / "default_rules.json"
# The rules the program was first published under, as recorded then (document version 1).
# The ledger's mechanics (every denial, downgrade straight to the earned tier) were written
# against them, and running those tests on the upcast document proves it still means the same.
RULES_2010_1_FILE = ROOT / "tests" / "fixtures" / "rules-2010.1.json"
DP = Specialization.DATA_PROTECTION
OPP = "opp-acme-backup"
ENROLLED_ON = date(2010, 11, 2)
CERTIFIED_ON = date(2010, 11, 15)
CERTIFIED_UNTIL = date(2013, 11, 15)
AWARDED_ON = date(2010, 12, 1)
REGISTERED_ON = date(2010, 12, 10)
# What a specialization demands under the default rules: one sales, two technical people.
TEAM = (
    ("Ann", CertificationKind.SALES),
    ("Bob", CertificationKind.TECHNICAL),
    ("Cid", CertificationKind.TECHNICAL),
)


def default_rules(**changes: Any) -> ProgramRules:
    """The 2010.1 rules (see RULES_2010_1_FILE), with changes."""
    return _rules_from(RULES_2010_1_FILE, **changes)


def current_rules(**changes: Any) -> ProgramRules:
    """The rules domain/default_rules.json publishes today, with changes."""
    return _rules_from(CURRENT_RULES_FILE, **changes)


def with_silver(rules: ProgramRules, version: str, **changes: Any) -> ProgramRules:
    """`rules` under another version, Silver's terms changed (e.g. min_qualified_revenue)."""
    tiers = tuple(replace(t, **changes) if t.tier is Tier.SILVER else t for t in rules.tiers)
    return replace(rules, version=version, tiers=tiers)


def _rules_from(path: Path, **changes: Any) -> ProgramRules:
    rules = ProgramRules.from_document(json.loads(path.read_text(encoding="utf-8")))
    return replace(rules, **changes)


def in_memory_ledger(*rule_sets: ProgramRules) -> Ledger:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for rules in rule_sets:
        ledger.publish_rules(PublishRules(rules))
    return ledger


def enroll(ledger: Ledger, code: str, tier: Tier = Tier.GOLD, name: str | None = None) -> UUID:
    return ledger.enroll_partner(EnrollPartner(code, name or code.title(), tier, ENROLLED_ON))


def certify_team(
    ledger: Ledger,
    code: str,
    specialization: Specialization = DP,
    on: date = CERTIFIED_ON,
    until: date = CERTIFIED_UNTIL,
) -> None:
    for individual, kind in TEAM:
        ledger.record_certification(
            RecordCertification(code, individual, kind, specialization, on, until)
        )


def make_specialist(
    ledger: Ledger,
    code: str,
    specialization: Specialization = DP,
    *,
    certified_on: date = CERTIFIED_ON,
    certified_until: date = CERTIFIED_UNTIL,
    awarded_on: date = AWARDED_ON,
) -> None:
    """Certify the team a specialization needs, then sign its contract (``contract-<code>``)."""
    certify_team(ledger, code, specialization, certified_on, certified_until)
    ledger.award_specialization(
        AwardSpecialization(code, specialization, f"contract-{code}", awarded_on)
    )


def enroll_specialist(
    ledger: Ledger,
    code: str,
    specialization: Specialization = DP,
    tier: Tier = Tier.GOLD,
    name: str | None = None,
) -> UUID:
    partner_id = enroll(ledger, code, tier, name)
    make_specialist(ledger, code, specialization)
    return partner_id


def deal_registration(
    code: str,
    on: date = REGISTERED_ON,
    *,
    opportunity: str = OPP,
    value: Decimal = Decimal(250_000),
    expected_close: date | None = None,
    evidence: str = "workshop and proof of concept",
    new_business: bool = True,
    end_customer: str | None = None,
    company_identifier: str | None = None,
) -> RegisterDeal:
    """Acme's data-protection deal, registered by `code`; it is expected to close in 60 days.
    Another reference is another customer's deal, unless `end_customer` says otherwise (one
    customer under two references is a suspected conflict)."""
    return RegisterDeal(
        opportunity=opportunity,
        end_customer=end_customer or ("Acme" if opportunity == OPP else f"{opportunity} customer"),
        company_identifier=company_identifier,
        specialization=DP,
        partner_code=code,
        estimated_value=value,
        expected_close=expected_close or on + timedelta(days=60),
        presales_evidence=evidence,
        new_business=new_business,
        registered_on=on,
    )


def stored_count(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def opportunity_events(ledger: Ledger, reference: str = OPP) -> list[Any]:
    return list(ledger.events.get(Opportunity.create_id(reference)))
