"""The opportunities of the seed scenario, and the deal commands it sends about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.commands import ConsumeEngineerDays, IssueQuote, RecordWin, RegisterDeal
from domain.program import Specialization
from infra.scenario.roster import Roster
from infra.scenario.run import Rejected, SeedRun

_PRESALES_WORK = (
    "discovery workshop with the IT director",
    "architecture study",
    "proof of concept on {n} servers",
    "pilot on {n} workstations",
    "audit of the existing installation",
    "sizing and migration plan",
)


@dataclass
class Deal:
    """An opportunity as the scenario follows it; the ledger holds the truth about it."""

    reference: str
    customer: str
    area: Specialization
    value: Decimal
    originator: str
    expected_close: date
    competitors: list[str] = field(default_factory=list)
    granted_to: list[str] = field(default_factory=list)
    closed: bool = False

    @property
    def involved(self) -> list[str]:
        return [self.originator, *self.competitors]


def rounded(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1))


class DealDesk:
    """Sends the commands about one deal, dated today, and counts exclusivity decisions."""

    def __init__(self, run: SeedRun, roster: Roster) -> None:
        self.run = run
        self.roster = roster

    def register(
        self,
        deal: Deal,
        code: str,
        new_business: bool = True,
        evidence: str | None = None,
        area: Specialization | None = None,
    ) -> None:
        command = RegisterDeal(
            opportunity=deal.reference,
            end_customer=deal.customer,
            specialization=area or deal.area,
            partner_code=code,
            estimated_value=deal.value,
            expected_close=deal.expected_close,
            presales_evidence=self._presales_evidence() if evidence is None else evidence,
            new_business=new_business,
            registered_on=self.run.today,
        )
        result = self.run.send(self.run.ledger.register_deal, command)
        if isinstance(result, Rejected):
            return
        self.run.tally.decisions[result.decision.reason.value] += 1
        if result.decision.granted:
            deal.granted_to.append(code)
            if self.run.rng.random() < 0.5:
                # The protected partner calls on the vendor's pre-sales engineers.
                self.run.later(2, 20, lambda: self.draw_engineer_days(deal, code))

    def draw_engineer_days(self, deal: Deal, code: str) -> None:
        if deal.closed or self.holder(deal) != code:
            return
        days = self.run.rng.randint(1, 3)
        command = ConsumeEngineerDays(deal.reference, code, days, self.run.today, "workshop")
        self.run.send(self.run.ledger.consume_engineer_days, command)

    def _presales_evidence(self) -> str:
        work = self.run.rng.choice(_PRESALES_WORK).format(n=self.run.rng.randint(3, 40))
        return f"{work}, {self.run.today.isoformat()}"

    def quote(self, deal: Deal, code: str) -> None:
        if deal.closed:
            return
        list_price = rounded(deal.value * Decimal(self.run.rng.randint(95, 110)) / 100)
        quote = IssueQuote(deal.reference, code, list_price, self.run.today)
        self.run.send(self.run.ledger.issue_quote, quote)

    def report_win(self, reference: str, code: str, amount: Decimal) -> None:
        self.run.send(
            self.run.ledger.record_win, RecordWin(reference, code, amount, self.run.today)
        )

    def holder(self, deal: Deal) -> str | None:
        """The partner protected on the deal today, if any (a lapsed protection does not count)."""
        protection = self.run.ledger.get_opportunity(deal.reference).protection
        if protection is None or protection.valid_until <= self.run.today:
            return None
        return self.roster.codes_by_id[protection.partner_id]

    def competitor(self, deal: Deal) -> str:
        # Often a specialist of the same area: the customer is shopping the deal around.
        rivals = [c for c in self.roster.specialists_in[deal.area] if c not in deal.involved]
        if rivals and self.run.rng.random() < 0.4:
            return self.run.rng.choice(rivals)
        while True:
            code = self.run.rng.choice(self.roster.partners).code
            if code not in deal.involved:
                return code
