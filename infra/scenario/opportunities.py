"""New opportunities in the seed scenario: who brings them in, in which area, of what kind."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.commands import EngageVendorSales
from domain.program import Specialization, Tier
from infra.scenario.deal_course import DealCourse
from infra.scenario.deals import Deal, DealDesk
from infra.scenario.roster import ANTEMETA_CODE, Roster
from infra.scenario.run import SeedRun

# New opportunities on a business day, drawn uniformly: about 1.2 a day.
NEW_OPPORTUNITIES_PER_DAY = (0, 1, 1, 1, 2, 2)
# Share of opportunities whose pre-sales work a specialist did.
SPECIALIST_ORIGINATED = 0.45
# What kind of registration an opportunity starts with, and how often.
_DEAL_KINDS = ("new-business", "renewal", "no-evidence", "vendor-first")
_DEAL_KIND_WEIGHTS = (78, 10, 6, 6)
# Pre-sales activity by legacy tier: the bigger partners bring in more opportunities.
_ACTIVITY_BY_TIER = {Tier.PLATINUM: 5, Tier.GOLD: 4, Tier.SILVER: 3, Tier.REGISTERED: 1}


class Opportunities:
    """Opens the day's opportunities, registers each, and plans what follows."""

    def __init__(self, run: SeedRun, roster: Roster, customers: list[str]) -> None:
        self.run = run
        self.roster = roster
        self.customers = customers
        self.desk = DealDesk(run, roster)
        self.course = DealCourse(run, roster, self.desk)
        self.opened = 0

    def open_todays(self) -> None:
        for _ in range(self.run.rng.choice(NEW_OPPORTUNITIES_PER_DAY)):
            self._open()

    def _open(self) -> None:
        run = self.run
        self.opened += 1
        originator, area = self._choose_originator()
        deal = Deal(
            reference=f"OPP-{run.today.year}-{self.opened:04d}",
            customer=run.rng.choice(self.customers),
            area=area,
            value=self._estimated_value(),
            originator=originator,
            expected_close=run.today + timedelta(days=run.rng.randint(30, 120)),
        )
        kind = run.rng.choices(_DEAL_KINDS, _DEAL_KIND_WEIGHTS)[0]
        if kind == "vendor-first":
            # The vendor's own sales already work the account: nobody can be protected.
            engagement = EngageVendorSales(
                deal.reference, deal.customer, deal.area, run.today, "named account"
            )
            run.send(run.ledger.engage_vendor_sales, engagement)
            run.later(1, 5, lambda: self.desk.register(deal, originator))
        else:
            evidence = "" if kind == "no-evidence" else None
            self.desk.register(deal, originator, new_business=kind != "renewal", evidence=evidence)
        self.course.plan(deal)

    def _choose_originator(self) -> tuple[str, Specialization]:
        """Who did the pre-sales work, and in which area."""
        rng, roster = self.run.rng, self.roster
        if roster.specialties and rng.random() < SPECIALIST_ORIGINATED:
            # Antemeta, the flagship specialist, brings in three times a specialist's share.
            code = rng.choice([ANTEMETA_CODE, ANTEMETA_CODE, *roster.specialties])
            areas = roster.specialties.get(code) or [Specialization.DATA_PROTECTION]
            return code, rng.choice(areas)
        weights = [_ACTIVITY_BY_TIER[p.legacy_tier] for p in roster.non_specialists]
        code = rng.choices(roster.non_specialists, weights)[0].code
        return code, rng.choice(list(Specialization))

    def _estimated_value(self) -> Decimal:
        # The smaller of two draws: many modest deals, a few large ones (15k to 600k).
        hundreds = min(self.run.rng.randint(150, 6000), self.run.rng.randint(150, 6000))
        return Decimal(hundreds * 100)
