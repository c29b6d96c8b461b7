"""Which partners sign specialization contracts in the seed scenario, in which areas, and when."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from domain.program import CertificationKind, Specialization, Tier
from infra.scenario.partners import PartnerDesk
from infra.scenario.roster import ANTEMETA_CODE, Roster
from infra.scenario.run import SeedRun
from infra.scenario.troubles import TROUBLES, CertificationTroubles

# "Fewer than 20 partners in total" will be specialized; the rules cap them at 19.
SPECIALIST_COUNT = 16
SALES, TECHNICAL = CertificationKind.SALES, CertificationKind.TECHNICAL


class SpecialistPlans:
    """Chooses the specialists, their areas and contract dates; a few will meet trouble."""

    def __init__(self, run: SeedRun, roster: Roster, desk: PartnerDesk) -> None:
        self.run = run
        self.roster = roster
        self.desk = desk
        self.troubles = CertificationTroubles(run, desk)
        self.planned_areas: defaultdict[str, list[Specialization]] = defaultdict(list)

    def plan(self) -> None:
        specialists = self._choose_specialists()
        first_areas = self._spread_areas(len(specialists) - 1)
        troubled = self.run.rng.sample(specialists[1:], len(TROUBLES))
        # The interview's first contract: Antemeta, data protection, in the first weeks.
        self._plan_specialization(ANTEMETA_CODE, Specialization.DATA_PROTECTION, offset=13)
        for code, area in zip(specialists[1:], first_areas, strict=True):
            trouble = TROUBLES[troubled.index(code)] if code in troubled else None
            self._plan_specialization(code, area, self.run.rng.randint(20, 150), trouble)
        self._plan_second_specializations(specialists)
        untroubled = [c for c in specialists[1:] if c not in troubled]
        self._plan_mistaken_partner_commands(self.run.rng.sample(untroubled, 2))

    def _choose_specialists(self) -> list[str]:
        # Contracts go first to the partners that already invested: every legacy Platinum,
        # then some Gold and Silver, and one from the Registered ranks.
        partners, rng = self.roster.partners, self.run.rng
        by_tier = {tier: [p.code for p in partners[1:] if p.legacy_tier is tier] for tier in Tier}
        chosen = [ANTEMETA_CODE, *by_tier[Tier.PLATINUM]]
        chosen += rng.sample(by_tier[Tier.GOLD], 7)
        chosen += rng.sample(by_tier[Tier.SILVER], 4)
        chosen += rng.sample(by_tier[Tier.REGISTERED], SPECIALIST_COUNT - len(chosen))
        self.roster.non_specialists = [p for p in partners if p.code not in chosen]
        return chosen

    def _spread_areas(self, count: int) -> list[Specialization]:
        # Deal every area out once before any repeats, so all nine get a specialist.
        areas: list[Specialization] = []
        while len(areas) < count:
            deck = list(Specialization)
            self.run.rng.shuffle(deck)
            areas += deck
        return areas[:count]

    def _plan_second_specializations(self, specialists: list[str]) -> None:
        # Platinum asks for two specializations: Antemeta adds storage management; the legacy
        # Platinum partners and one Gold partner add a second area of their own.
        self._plan_specialization(
            ANTEMETA_CODE, Specialization.STORAGE_MANAGEMENT, self.run.rng.randint(120, 200)
        )
        for code in specialists[1:5]:
            taken = self.planned_areas[code]
            area = self.run.rng.choice([s for s in Specialization if s not in taken])
            self._plan_specialization(code, area, self.run.rng.randint(160, 300))

    def _plan_specialization(
        self, code: str, area: Specialization, offset: int, trouble: str | None = None
    ) -> None:
        """Certify the people a specialization needs in the days before its contract."""
        run = self.run
        award_on = run.start + timedelta(days=offset)
        self.planned_areas[code].append(area)
        # A troubled specialist has nobody to spare (1 sales, exactly 2 technical people), and
        # one of its technical people is planned by the trouble itself.
        sales = 1 if trouble else run.rng.randint(1, 2)
        technical = 1 if trouble else run.rng.randint(2, 3)
        for kind, count in ((SALES, sales), (TECHNICAL, technical)):
            for _ in range(count):
                certified_on = award_on - timedelta(days=run.rng.randint(1, 12))
                run.at(max(certified_on, run.start), self.desk.certify_later(code, kind, area))
        if trouble:
            self.troubles.plan(code, area, award_on, trouble)
        run.at(award_on, lambda: self.desk.award(code, area))

    def _plan_mistaken_partner_commands(self, codes: list[str]) -> None:
        # A contract entered a second time, and a revocation for someone never certified.
        twice, wrong_partner = codes
        run, desk = self.run, self.desk
        area = self.planned_areas[twice][0]
        run.at(run.start + timedelta(days=200), lambda: desk.award(twice, area))
        person, wrong_area = desk.people.next_name(), self.planned_areas[wrong_partner][0]
        run.at(
            run.start + timedelta(days=170),
            lambda: desk.revoke(wrong_partner, person, SALES, wrong_area, "entered in error"),
        )
