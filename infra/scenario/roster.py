"""The 120 managed partners the seed scenario carries over, and the specializations they earn."""

from __future__ import annotations

import random
from datetime import date

from domain.commands import EnrollPartner
from domain.partner import Partner
from domain.program import Specialization, Tier
from infra.scenario.names import partner_names

PARTNER_COUNT = 120
ANTEMETA_CODE = "antemeta"
# The 119 partners after Antemeta (legacy Gold): 3 Platinum, 15 Gold in all, 40 Silver.
LEGACY_TIER_MIX = ((Tier.PLATINUM, 3), (Tier.GOLD, 14), (Tier.SILVER, 40), (Tier.REGISTERED, 62))


def partner_roster(rng: random.Random, enrolled_on: date) -> list[EnrollPartner]:
    """Antemeta, then 119 partners with generated names and a shuffled legacy tier mix."""
    others = PARTNER_COUNT - 1
    names = partner_names(rng, others)
    tiers = [tier for tier, count in LEGACY_TIER_MIX for _ in range(count)]
    rng.shuffle(tiers)
    return [
        EnrollPartner(ANTEMETA_CODE, "Antemeta", Tier.GOLD, enrolled_on),
        *(
            EnrollPartner(name.lower().replace(" ", "-"), name, tier, enrolled_on)
            for name, tier in zip(names, tiers, strict=True)
        ),
    ]


class Roster:
    """The partners, which of them were not chosen as specialists, and the awards recorded."""

    def __init__(self, partners: list[EnrollPartner]) -> None:
        self.partners = partners
        self.codes_by_id = {Partner.create_id(p.code): p.code for p in partners}
        self.non_specialists: list[EnrollPartner] = []
        # Awards recorded so far, per partner and per area. Withdrawals are not followed: a
        # partner that lost a specialization goes on registering in it, and is denied.
        self.specialties: dict[str, list[Specialization]] = {}
        self.specialists_in: dict[Specialization, list[str]] = {s: [] for s in Specialization}

    def add_award(self, code: str, area: Specialization) -> None:
        if area not in self.specialties.setdefault(code, []):
            self.specialties[code].append(area)
            self.specialists_in[area].append(code)
