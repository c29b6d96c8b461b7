"""Operators' mistakes on deals: the ledger must refuse them, or record them as denied."""

from __future__ import annotations

from domain.commands import IssueQuote, ReleaseExclusivity
from domain.program import Specialization
from infra.scenario.deals import Deal, DealDesk
from infra.scenario.run import SeedRun


class DealMistakes:
    """Plans, now and then, a wrong command about a deal before or after it closes."""

    def __init__(self, run: SeedRun, desk: DealDesk) -> None:
        self.run = run
        self.desk = desk

    def plan_while_open(self, deal: Deal) -> None:
        run, desk = self.run, self.desk
        draw = run.rng.random()
        if draw < 0.015:
            # The same reference entered again with another area: refused.
            wrong = run.rng.choice([s for s in Specialization if s is not deal.area])
            run.later(1, 10, lambda: desk.register(deal, deal.originator, area=wrong))
        elif draw < 0.025:
            # Another partner tries to lift a protection it does not hold: refused.
            run.later(5, 30, lambda: self._release_by_outsider(deal))
        elif draw < 0.035:
            # A typo in the partner code: refused.
            run.later(1, 10, lambda: desk.register(deal, f"{deal.originator}-fr"))
        elif draw < 0.04:
            # A win reported under a reference nobody registered: refused.
            reference = f"{deal.reference}-X"
            run.later(20, 60, lambda: desk.report_win(reference, deal.originator, deal.value))

    def plan_after_close(self, deal: Deal) -> None:
        run, desk = self.run, self.desk
        draw = run.rng.random()
        if draw < 0.04:
            # Another partner reports a win on the already closed deal: refused.
            code = run.rng.choice(deal.involved)
            run.later(1, 20, lambda: desk.report_win(deal.reference, code, deal.value))
        elif draw < 0.07:
            # A late registration: recorded, and denied because the deal is closed.
            run.later(1, 30, lambda: desk.register(deal, desk.competitor(deal)))
        elif draw < 0.09:
            # A quote asked for after the close: refused.
            run.later(1, 20, lambda: self._quote_after_close(deal))

    def _release_by_outsider(self, deal: Deal) -> None:
        outsider = self.desk.competitor(deal)
        release = ReleaseExclusivity(deal.reference, outsider, self.run.today, "not our deal")
        self.run.send(self.run.ledger.release_exclusivity, release)

    def _quote_after_close(self, deal: Deal) -> None:
        quote = IssueQuote(deal.reference, deal.originator, deal.value, self.run.today)
        self.run.send(self.run.ledger.issue_quote, quote)
