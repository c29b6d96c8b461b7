"""The transition's read models, projected from the envelopes the relay would publish: tiers
at enrolment and now, tiers at risk, transition plans, benefits of protection."""

from datetime import date, timedelta

import pytest

from domain.commands import ConsumeEngineerDays, RecordCertification
from domain.program import CertificationKind, Tier
from projections.database import open_projection_db
from projections.models.benefits import benefits_totals
from projections.models.partner_status import legacy_metals_still_metal, tiers_then_and_now
from projections.models.tier_reviews import tiers_at_risk
from projections.models.transition_plans import transition_plans
from tests.builders.program import (
    DP,
    OPP,
    REGISTERED_ON,
    current_rules,
    deal_registration,
    enroll,
    enroll_specialist,
    in_memory_ledger,
)
from tests.unit.projections.test_projection_dispatch import envelopes_of, project

TRANSITION_ENDS = date(2011, 11, 1)
GRACE_ENDS = TRANSITION_ENDS + timedelta(days=90)


def certified(ledger, code: str) -> None:
    for name, kind in (("Ann", CertificationKind.SALES), ("Bob", CertificationKind.TECHNICAL)):
        ledger.record_certification(
            RecordCertification(code, name, kind, DP, date(2010, 11, 15), date(2013, 11, 15))
        )


@pytest.fixture(scope="module")
def projected():
    ledger = in_memory_ledger(current_rules())
    enroll(ledger, "slipping-gold", Tier.GOLD)  # earns nothing: slips one tier, to its floor
    enroll(ledger, "held-silver", Tier.SILVER)  # earns nothing: held by its plan
    enroll(ledger, "newcomer", Tier.REGISTERED)
    certified(ledger, "slipping-gold")
    enroll_specialist(ledger, "antemeta")
    ledger.register_deal(deal_registration("antemeta"))
    ledger.consume_engineer_days(
        ConsumeEngineerDays(OPP, "antemeta", 2, REGISTERED_ON + timedelta(days=3), "workshop")
    )
    ledger.sweep(TRANSITION_ENDS)
    ledger.sweep(GRACE_ENDS)
    engine = open_projection_db("sqlite://")
    project(engine, envelopes_of(ledger))
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_tiers_are_counted_at_enrolment_and_now(projected):
    counts = {t.tier: (t.at_enrolment, t.now) for t in tiers_then_and_now(projected)}

    # Both legacy golds (antemeta earns nothing either) slip one tier, to their plans' floor.
    assert counts == {
        "platinum": (0, 0),
        "gold": (2, 0),
        "silver": (1, 3),
        "registered": (1, 1),
    }


def test_every_legacy_metal_partner_on_a_plan_is_still_metal(projected):
    assert legacy_metals_still_metal(projected) == (3, 3)


def test_plans_show_the_floor_the_due_date_and_what_was_lacking(projected):
    plans = {p.partner: p for p in transition_plans(projected)}

    assert set(plans) >= {"slipping-gold", "held-silver"}
    assert (plans["slipping-gold"].tier, plans["slipping-gold"].floor_tier) == ("silver", "silver")
    assert (plans["held-silver"].tier, plans["held-silver"].floor_tier) == ("silver", "silver")
    assert "qualified revenue" in plans["held-silver"].lacks
    assert plans["held-silver"].due_on == TRANSITION_ENDS + timedelta(days=180)


def test_a_tier_held_only_by_a_plan_is_at_risk_and_a_partner_already_moved_is_not(projected):
    at_risk = {r.partner: r for r in tiers_at_risk(projected)}

    assert at_risk["held-silver"].outcome == "held-by-plan"
    assert "newcomer" not in at_risk


def test_benefits_drawn_are_counted_against_the_grants(projected):
    totals = benefits_totals(projected)

    assert (totals.grants, totals.engineer_days_used) == (1, 2)
    assert totals.engineer_days == current_rules().presales_engineer_days
    assert totals.with_extended_support == 1
