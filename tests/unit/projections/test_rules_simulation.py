"""`ledger rules simulate`: the recorded commands replayed under a proposed rule set, into
scratch databases, with the store left as it was."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.commands import RecordCertification, RecordWin
from domain.ledger import Ledger
from domain.program import CertificationKind, Tier
from domain.rules import ProgramRules
from projections.simulation import outcomes_of, simulate
from tests.builders.program import (
    DP,
    current_rules,
    deal_registration,
    enroll,
    in_memory_ledger,
    stored_count,
)

RULES = current_rules()


def silver_halved() -> ProgramRules:
    tiers = tuple(
        replace(t, min_qualified_revenue=t.min_qualified_revenue / 2)
        if t.tier is Tier.SILVER
        else t
        for t in RULES.tiers
    )
    return replace(RULES, version="2010.2-silver-halved", tiers=tiers)


def record_history(rules: ProgramRules) -> Ledger:
    """Two certified resellers win registered new business; reviews run after the transition."""
    ledger = in_memory_ledger(rules)
    for code, amount in (("small-win", 60_000), ("big-win", 150_000)):
        enroll(ledger, code, Tier.REGISTERED)
        for name, kind in (("Ann", CertificationKind.SALES), ("Bob", CertificationKind.TECHNICAL)):
            ledger.record_certification(
                RecordCertification(code, name, kind, DP, date(2010, 11, 15), date(2013, 11, 15))
            )
        deal = f"opp-{code}"
        ledger.register_deal(deal_registration(code, date(2011, 9, 1), opportunity=deal))
        ledger.record_win(RecordWin(deal, code, Decimal(amount), date(2011, 10, 1)))
    enroll(ledger, "idle-silver", Tier.SILVER)
    ledger.sweep(date(2011, 11, 1))
    ledger.sweep(date(2012, 1, 30))
    return ledger


@pytest.fixture(scope="module")
def recorded() -> Ledger:
    return record_history(RULES)


def test_simulating_the_rules_in_force_gives_an_empty_diff(recorded):
    found = simulate(recorded, RULES, RULES.effective_from)

    assert found.diff == []
    assert found.totals_today == found.totals_simulated
    assert found.refused == {}


def test_a_changed_rule_set_gives_the_diff_publishing_it_would_have_given(recorded):
    found = simulate(recorded, silver_halved(), RULES.effective_from)

    published = outcomes_of(record_history(silver_halved()))
    assert {d.partner: d.simulated for d in found.diff} == {
        code: outcome
        for code, outcome in published.items()
        if outcome != outcomes_of(recorded)[code]
    }
    assert [(d.partner, d.today.tier, d.simulated.tier) for d in found.diff] == [
        ("small-win", "registered", "silver")
    ]


def test_a_simulation_writes_nothing_to_the_store(recorded):
    before = stored_count(recorded)

    simulate(recorded, silver_halved(), date(2011, 6, 1))

    assert stored_count(recorded) == before


def test_a_proposal_from_a_later_date_keeps_the_recorded_rules_before_it(recorded):
    # From 2012-01-31 on, after the last review: nothing recorded could change.
    assert simulate(recorded, silver_halved(), date(2012, 1, 31)).diff == []
