"""Quote pricing: "from now on the cheapest will be the specialist".

On a protected opportunity the partner holding exclusivity gets its tier's base discount plus the
registration uplift (and the specialization's bonus); any other partner is quoted the standard
(Registered) discount. The rules guarantee no tier's base discount is below Registered's and
every uplift is positive, so the protected specialist's net price is always the lowest.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from domain.program import Specialization, Tier
from domain.rules import ProgramRules

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class Protection(Enum):
    """Where the quoted partner stands on the opportunity."""

    UNPROTECTED = "unprotected"
    HOLDER = "holder"
    PROTECTED_FOR_ANOTHER = "protected-for-another"


@dataclass(frozen=True)
class QuotePrice:
    list_price: Decimal
    tier: Tier
    tier_discount: Decimal
    registration_uplift: Decimal
    net_price: Decimal
    protection: Protection
    rules_version: str

    @property
    def total_discount(self) -> Decimal:
        return self.tier_discount + self.registration_uplift


def price_quote(
    list_price: Decimal,
    tier: Tier,
    specialization: Specialization,
    protection: Protection,
    rules: ProgramRules,
) -> QuotePrice:
    """Net price for one partner on one opportunity under the given rules."""
    if protection is Protection.PROTECTED_FOR_ANOTHER:
        tier_discount = rules.tier_terms(Tier.REGISTERED).base_discount
    else:
        tier_discount = rules.tier_terms(tier).base_discount
    uplift = Decimal(0)
    if protection is Protection.HOLDER:
        uplift = (
            rules.tier_terms(tier).registration_uplift
            + rules.specialization_terms(specialization).uplift_bonus
        )
    net = (list_price * (HUNDRED - tier_discount - uplift) / HUNDRED).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return QuotePrice(list_price, tier, tier_discount, uplift, net, protection, rules.version)
