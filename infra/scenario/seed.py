"""The seed scenario: fifteen months of the partner program, generated from one seed.

It drives the real ledger through its commands, as the people in the design brief would:
the vendor publishes the program rules, carries its 120 managed partners over with their
legacy tiers, certifies individuals, signs fewer than 20 specialization contracts (Antemeta
first, in data protection), and then lets a year of business happen: partners register
opportunities (often competing for the same one), ask for quotes, win, lose, release or let
their protection expire and register again. Once a week the ledger's sweep applies what time
decides: expiries, withdrawn specializations and, after the transition, tier reviews.

Everything is drawn from ``random.Random(seed)`` and the business calendar, never from the
clock, so one seed always records the same history. A few commands are wrong on purpose (a win
reported on a closed deal, an award without the certified people) because real operators make
those mistakes; the ledger rejects them and the summary counts them by the rule they broke.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from contracts.inputs.rules_schema import DEFAULT_RULES_FILE, load_rules_file
from domain.commands import PublishRules
from domain.ledger import Ledger
from domain.rules import ProgramRules
from infra.scenario.names import end_customers
from infra.scenario.opportunities import Opportunities
from infra.scenario.partial_certifications import plan_partial_certifications
from infra.scenario.partners import PartnerDesk
from infra.scenario.roster import Roster, partner_roster
from infra.scenario.run import SWEEP_EVERY_DAYS, SeedRun, is_business_day
from infra.scenario.specialists import SpecialistPlans

SCENARIO_START = date(2010, 11, 2)
# 456 days run from 2010-11-02 to 2012-01-31. The transition from the old program ends on
# 2011-11-01 (a sweep day): the first tier reviews then upgrade the partners whose qualified
# revenue earns it. Those that fall short get 90 days' grace, and the review on 2012-01-31 is
# the first that can downgrade them. A shorter run sees no tier change at all.
DEFAULT_DAYS = 456


@dataclass(frozen=True)
class SeedSummary:
    """What the scenario recorded: commands by kind, rejections by rule, decisions by reason."""

    first_day: date
    last_day: date
    recorded: dict[str, int]  # command class name -> commands the ledger recorded
    rejected: dict[str, int]  # rule name -> commands the ledger rejected under that rule
    decisions: dict[str, int]  # exclusivity reason code -> decisions taken
    time_effects: dict[str, int]  # SweepReport field -> total over every sweep
    sweeps: int
    events: int  # events stored by the scenario

    @property
    def commands_recorded(self) -> int:
        return sum(self.recorded.values())

    @property
    def commands_rejected(self) -> int:
        return sum(self.rejected.values())


class SeedStoreNotEmpty(ValueError):
    """The seed scenario starts a program from nothing; it refuses a store that has history."""


def run_seed_scenario(
    ledger: Ledger,
    seed: int = 2010,
    start: date = SCENARIO_START,
    days: int = DEFAULT_DAYS,
    on_progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Record `days` days of the program from `start`, all drawn from `seed`, into an empty store.

    `on_progress(done_days, total_days)` is called once a simulated week and at the end.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    rules = load_rules_file(DEFAULT_RULES_FILE)
    if start < rules.effective_from:
        raise ValueError(
            f"the scenario cannot start on {start}, before the program rules take effect "
            f"({rules.effective_from}, version {rules.version})"
        )
    already_stored = ledger.recorder.max_notification_id() or 0
    if already_stored:
        raise SeedStoreNotEmpty(
            f"the event store already holds {already_stored} events; "
            "the seed scenario needs an empty one"
        )
    # A seeded generator, not a secure one: the point is that a seed replays the same history.
    rng = random.Random(seed)  # noqa: S311
    scenario = _Scenario(SeedRun(ledger, rng, start), days, on_progress)
    scenario.play(rules)
    return scenario.summary()


class _Scenario:
    """One run day by day: the program set up on the first day, then a year of business."""

    def __init__(
        self, run: SeedRun, days: int, on_progress: Callable[[int, int], None] | None
    ) -> None:
        self.run = run
        self.days = days
        self.on_progress = on_progress
        # The roster draws from the dice before the customers do.
        self.roster = Roster(partner_roster(run.rng, run.start))
        self.partners = PartnerDesk(run, self.roster)
        self.opportunities = Opportunities(run, self.roster, end_customers(run.rng))

    def play(self, rules: ProgramRules) -> None:
        self.run.send(self.run.ledger.publish_rules, PublishRules(rules))
        self.partners.enrol_all()
        SpecialistPlans(self.run, self.roster, self.partners).plan()
        plan_partial_certifications(self.run, self.roster, self.partners)
        self.run.calendar_running = True
        for index in range(self.days):
            self._run_day(index)
            done = index + 1
            if self.on_progress and (done % SWEEP_EVERY_DAYS == 0 or done == self.days):
                self.on_progress(done, self.days)

    def _run_day(self, index: int) -> None:
        run = self.run
        run.today = run.start + timedelta(days=index)
        # The weekly sweep runs first thing, so the day's business sees its effects.
        if index % SWEEP_EVERY_DAYS == 0 or index == self.days - 1:
            run.tally.add_sweep(run.ledger.sweep(run.today))
        if is_business_day(run.today):
            self.opportunities.open_todays()
        for action in run.agenda.pop(run.today, []):
            action()

    def summary(self) -> SeedSummary:
        tally = self.run.tally
        return SeedSummary(
            first_day=self.run.start,
            last_day=self.run.start + timedelta(days=self.days - 1),
            recorded=dict(tally.recorded),
            rejected=dict(tally.rejected),
            decisions=dict(tally.decisions),
            time_effects=dict(tally.time_effects),
            sweeps=tally.sweeps,
            events=self.run.ledger.recorder.max_notification_id() or 0,
        )
