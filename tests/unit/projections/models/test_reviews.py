"""Suspected conflicts in the read models, projected from the envelopes the relay would
publish: pending in the decision history partners read, with the other opportunity only in
the channel managers' review list."""

from datetime import timedelta

import pytest

from projections.database import open_projection_db
from projections.models.exclusivity_decisions import decision_history
from projections.models.reviews import pending_reviews
from tests.builders.program import (
    REGISTERED_ON,
    deal_registration,
    default_rules,
    enroll_specialist,
    in_memory_ledger,
)
from tests.unit.projections.test_projection_dispatch import envelopes_of, project


@pytest.fixture(scope="module")
def projected():
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    enroll_specialist(ledger, "rival")
    first = deal_registration("antemeta", opportunity="acme-1", end_customer="Acme SA")
    ledger.register_deal(first)
    second = deal_registration(
        "rival", REGISTERED_ON + timedelta(days=2), opportunity="acme-2", end_customer="ACME"
    )
    ledger.register_deal(second)
    engine = open_projection_db("sqlite://")
    project(engine, envelopes_of(ledger))
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_the_suspected_registration_is_pending_in_the_decision_history(projected):
    (decision,) = decision_history(projected, "acme-2")

    assert (decision.partner, decision.outcome, decision.reason_code) == (
        "rival",
        "pending",
        "review-conflict-suspected",
    )
    assert decision.valid_until is None


def test_the_review_list_names_the_other_opportunity_and_the_rules_outcome(projected):
    (review,) = pending_reviews(projected)

    assert review.opportunity == "acme-2"
    assert review.partner == "rival"
    assert review.conflicting_reference == "acme-1"
    assert review.matched_keys == ["name:acme"]
    assert review.rule_reason_code == "granted-first-qualified-registrant"
    assert review.status == "pending"
    assert review.opened_on == REGISTERED_ON + timedelta(days=2)


def test_the_first_registration_keeps_its_protection(projected):
    (decision,) = decision_history(projected, "acme-1")

    assert decision.outcome == "granted"
