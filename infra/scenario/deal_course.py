"""What may follow a deal's first registration in the seed scenario, up to its close."""

from __future__ import annotations

from decimal import Decimal

from domain.commands import RecordLoss, ReleaseExclusivity
from infra.scenario.deal_mistakes import DealMistakes
from infra.scenario.deals import Deal, DealDesk, rounded
from infra.scenario.roster import Roster
from infra.scenario.run import SeedRun

_LOSS_REASONS = (
    "customer chose another vendor",
    "project cancelled",
    "budget frozen",
    "customer kept its incumbent solution",
)
_RELEASE_REASONS = (
    "customer postponed the project",
    "handed over to a specialist partner",
    "no capacity to deliver this quarter",
)
# What happens when an opportunity reaches its close date.
_OUTCOMES = ("holder-wins", "competitor-wins", "lost", "stays-open")
_OUTCOME_WEIGHTS = (60, 12, 20, 8)


class DealCourse:
    """Plans a deal's competitors, quotes, release, re-registration and close."""

    def __init__(self, run: SeedRun, roster: Roster, desk: DealDesk) -> None:
        self.run = run
        self.roster = roster
        self.desk = desk
        self.mistakes = DealMistakes(run, desk)

    def plan(self, deal: Deal) -> None:
        """Everything that may follow a first registration, planned on the day it happens."""
        run, rng = self.run, self.run.rng
        for _ in range(rng.choices((0, 1, 2), (60, 28, 12))[0]):
            run.later(1, 25, lambda: self._competitor_registers(deal))
        run.later(3, 30, lambda: self.desk.quote(deal, deal.originator))
        if rng.random() < 0.3:
            run.later(31, 60, lambda: self.desk.quote(deal, deal.originator))  # a revised quote
        if rng.random() < 0.12:
            # Only a partner still protected then can release (most registrants never are).
            run.later(10, 45, lambda: self._release(deal))
        closes_in = rng.randint(20, 160)
        run.later(closes_in, closes_in, lambda: self._close(deal))
        if closes_in > 100 and rng.random() < 0.5:
            # Protection lasts 90 days; half the holders of a longer deal register it again.
            run.later(90, 100, lambda: self._register_again(deal))
        self.mistakes.plan_while_open(deal)

    def _competitor_registers(self, deal: Deal) -> None:
        if deal.closed:
            return
        code = self.desk.competitor(deal)
        deal.competitors.append(code)
        self.desk.register(deal, code, new_business=self.run.rng.random() < 0.9)
        if self.run.rng.random() < 0.7:
            self.run.later(1, 10, lambda: self.desk.quote(deal, code))

    def _release(self, deal: Deal) -> None:
        holder = None if deal.closed else self.desk.holder(deal)
        if holder is None:
            return
        reason = self.run.rng.choice(_RELEASE_REASONS)
        release = ReleaseExclusivity(deal.reference, holder, self.run.today, reason)
        self.run.send(self.run.ledger.release_exclusivity, release)
        # A released deal is often taken up by a specialist of the area.
        others = [c for c in self.roster.specialists_in[deal.area] if c not in deal.involved]
        if others and self.run.rng.random() < 0.6:
            taker = self.run.rng.choice(others)
            self.run.later(2, 15, lambda: self._take_over(deal, taker))

    def _take_over(self, deal: Deal, code: str) -> None:
        if deal.closed:
            return
        deal.competitors.append(code)
        self.desk.register(deal, code)
        self.run.later(1, 10, lambda: self.desk.quote(deal, code))

    def _register_again(self, deal: Deal) -> None:
        """Registration by the last protected partner after its protection expired."""
        if deal.closed or not deal.granted_to or self.desk.holder(deal) is not None:
            return
        self.desk.register(deal, deal.granted_to[-1])

    def _close(self, deal: Deal) -> None:
        if deal.closed:
            return
        outcome = self.run.rng.choices(_OUTCOMES, _OUTCOME_WEIGHTS)[0]
        if outcome == "stays-open":
            return  # the customer went quiet; nobody ever closes the opportunity
        if outcome == "lost":
            loss = RecordLoss(deal.reference, self.run.today, self.run.rng.choice(_LOSS_REASONS))
            self.run.send(self.run.ledger.record_loss, loss)
        else:
            amount = rounded(deal.value * Decimal(self.run.rng.randint(85, 105)) / 100)
            self.desk.report_win(deal.reference, self._winner(deal, outcome), amount)
        deal.closed = True
        self.mistakes.plan_after_close(deal)

    def _winner(self, deal: Deal, outcome: str) -> str:
        if outcome == "competitor-wins" and deal.competitors:
            return self.run.rng.choice(deal.competitors)
        return self.desk.holder(deal) or deal.originator
