"""`ledger rules simulate` on the seed scenario equals publishing the file and re-running it.

The seed scenario (120 partners, 15 months) runs in memory here: what is compared is the
simulation's side of each partner against a fresh store's projected outcomes, both folded by
the projector's own code; no broker is involved.
"""

from dataclasses import replace
from datetime import date

import pytest

from domain.commands import PublishRules
from domain.ledger import Ledger
from domain.program import Tier
from domain.rules import ProgramRules
from infra.scenario.seed import run_seed_scenario
from projections.simulation import outcomes_of, simulate
from tests.builders.program import current_rules, with_silver

RULES = current_rules()
SILVER = RULES.tier_terms(Tier.SILVER)
# The demo's proposal: Silver asks half the qualified revenue and no certified people.
EASIER_SILVER = with_silver(
    RULES,
    "2010.2-easy-silver",
    min_qualified_revenue=SILVER.min_qualified_revenue / 2,
    min_sales_certified=0,
    min_technical_certified=0,
)
PROPOSED_FROM = date(2011, 6, 1)


def in_memory() -> Ledger:
    return Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


class PublishingTheProposal(Ledger):
    """A store whose operator publishes the proposal right after the rules the scenario does."""

    proposal: ProgramRules

    def publish_rules(self, command: PublishRules) -> None:
        super().publish_rules(command)
        if command.rules.version != self.proposal.version:
            super().publish_rules(PublishRules(self.proposal))


@pytest.fixture(scope="module")
def recorded() -> Ledger:
    ledger = in_memory()
    run_seed_scenario(ledger)
    return ledger


def test_simulating_an_easier_silver_equals_publishing_it_and_re_running_the_seed(recorded):
    """As close as the system allows. The seed scenario starts from an empty store and
    publishes its own rules, so the file cannot go in first through `ledger rules publish`:
    the re-run's store publishes it, in force from PROPOSED_FROM, right after them. And the
    scenario reacts to what it gets back (a protected partner may call on the vendor's
    engineers), while a simulation replays the commands recorded: the two agree when the
    proposal grants no protection differently, as a Silver threshold does not; a change that
    moved grants would make the re-run send other commands than the history holds."""
    found = simulate(recorded, EASIER_SILVER, PROPOSED_FROM)

    re_run = PublishingTheProposal(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    re_run.proposal = replace(EASIER_SILVER, effective_from=PROPOSED_FROM)
    run_seed_scenario(re_run)

    simulated = outcomes_of(recorded) | {d.partner: d.simulated for d in found.diff}
    assert len(found.diff) >= 10  # the change matters: partners climb to Silver
    assert {d.simulated.tier for d in found.diff} >= {"silver"}
    assert outcomes_of(re_run) == simulated
