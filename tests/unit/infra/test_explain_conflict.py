"""`ledger audit explain` of a suspected conflict: the rule's outcome re-derived beside the
review it was held for, the other opportunity as it stood then, and what a forgery changes."""

from datetime import timedelta

import pytest

from domain.commands import RecordLoss
from domain.explain_conflict import rederive_conflict
from domain.identity import event_id
from domain.opportunity import Opportunity
from infra.audit.explain import explain
from tests.builders.program import (
    REGISTERED_ON,
    deal_registration,
    default_rules,
    enroll_specialist,
    in_memory_ledger,
    opportunity_events,
)

LATER = REGISTERED_ON + timedelta(days=2)


@pytest.fixture
def ledger():
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    enroll_specialist(ledger, "rival")
    ledger.register_deal(
        deal_registration("antemeta", opportunity="acme-1", end_customer="Acme SA")
    )
    ledger.register_deal(
        deal_registration("rival", LATER, opportunity="acme-2", end_customer="ACME")
    )
    return ledger


def suspected_id(ledger) -> tuple[Opportunity.ConflictSuspected, str]:
    event = opportunity_events(ledger, "acme-2")[-1]
    assert isinstance(event, Opportunity.ConflictSuspected)
    return event, event_id(event.originator_id, event.originator_version)


def test_a_suspected_conflict_re_derives_and_agrees(ledger):
    _, decision_id = suspected_id(ledger)

    found = explain(ledger, decision_id)

    assert found.kind == "suspected conflict"
    assert found.agrees, found.disagreements
    checks = {c.name: c.recorded for c in found.rederivation.checks}
    assert checks["outcome"] == "pending"
    assert checks["rule_reason_code"] == "granted-first-qualified-registrant"
    assert checks["matched_keys"] == ("name:acme",)
    (conflict,) = (e for e in found.rederivation.evidence if e.kind == "conflict")
    assert conflict.detail == "acme-1 for Acme SA: open, shares name:acme"


def test_a_conflict_with_an_opportunity_already_closed_is_a_disagreement(ledger):
    # Had the first opportunity been closed when the second registered, the rule's grant would
    # have stood: the same record re-derived against the closed one no longer agrees.
    suspected, _ = suspected_id(ledger)
    ledger.record_loss(RecordLoss("acme-1", LATER, "cancelled"))
    second = Opportunity.create_id("acme-2")
    registration = opportunity_events(ledger, "acme-2")[2]

    found = rederive_conflict(
        suspected,
        ledger.repository.get(second, version=suspected.originator_version - 1),
        registration,
        ledger.get_partner("rival"),
        ledger.program(),
        ledger.get_opportunity("acme-1"),
    )

    assert found.disagreements == ["outcome"]
    (conflict,) = (e for e in found.evidence if e.kind == "conflict")
    assert conflict.detail == "acme-1 for Acme SA: closed, shares name:acme"
