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
    with_silver,
)

RULES = current_rules()


def silver_halved() -> ProgramRules:
    silver = RULES.tier_terms(Tier.SILVER)
    return with_silver(
        RULES, "2010.2-silver-halved", min_qualified_revenue=silver.min_qualified_revenue / 2
    )


def record_history(*rule_sets: ProgramRules) -> Ledger:
    """Two certified resellers win registered new business; reviews run after the transition.

    The rule sets are published first, in order, each in force from its effective date.
    """
    ledger = in_memory_ledger(*rule_sets)
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


@pytest.mark.parametrize(
    ("proposed_from", "tiers_changed"),
    [
        (RULES.effective_from, [("small-win", "registered", "silver")]),
        # Before both reviews: the first one already reads the halved threshold.
        (date(2011, 6, 1), [("small-win", "registered", "silver")]),
        # Between them: the first review keeps 2010.2, the second reads the halved threshold.
        (date(2011, 12, 1), [("small-win", "registered", "silver")]),
        # After the last review: nothing recorded reads the proposal.
        (date(2012, 1, 31), []),
    ],
)
def test_simulating_a_changed_file_equals_publishing_it_and_re_running_the_scenario(
    recorded, proposed_from, tiers_changed
):
    """The simulation's side of every partner is what a fresh store gives once the same file
    is published, in force from `proposed_from`, after the rules in force, and the scenario is
    run again and projected (by the projector's own code, as the simulation projects).

    As close as the publication workflow allows, and exact here: a rules file says its own
    effective date (`ledger rules publish` has no --from), so "publishing it from a date" is
    publishing the file with that effective date, which is what `simulate --from` does to the
    proposal. The simulation also sweeps weekly besides the days the history shows a sweep ran;
    a re-run swept on other days could review on other dates, but this scenario's sweeps (the
    reviews of 2011-11-01 and 2012-01-30) are days the simulation sweeps too.
    """
    proposal = silver_halved()

    found = simulate(recorded, proposal, proposed_from)

    re_run = record_history(RULES, replace(proposal, effective_from=proposed_from))
    today = outcomes_of(recorded)
    simulated = today | {d.partner: d.simulated for d in found.diff}
    assert outcomes_of(re_run) == simulated
    assert found.refused == {}
    assert [(d.partner, d.today.tier, d.simulated.tier) for d in found.diff] == tiers_changed


def test_a_simulation_writes_nothing_to_the_store(recorded):
    before = stored_count(recorded)

    simulate(recorded, silver_halved(), date(2011, 6, 1))

    assert stored_count(recorded) == before


def test_a_proposal_from_a_later_date_keeps_the_recorded_rules_before_it(recorded):
    # From 2012-01-31 on, after the last review: nothing recorded could change.
    assert simulate(recorded, silver_halved(), date(2012, 1, 31)).diff == []
