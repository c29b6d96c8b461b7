"""Quote pricing: "from now on the cheapest will be the specialist".

On a protected opportunity the partner holding exclusivity gets its tier's base discount plus the
registration uplift (and the specialization's bonus); a partner that registered its pre-sales
work without exclusivity gets the standard (Registered) discount plus its tier's smaller
non-exclusive uplift; anyone else is quoted the standard discount. The rules guarantee no
tier's base discount is below Registered's and every registration uplift beats every
non-exclusive uplift by a point, so the protected specialist's net price is always the lowest.
Without a holder, a non-exclusive registrant gets its own tier's discount plus that uplift.
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
    # Registered its pre-sales work without exclusivity (no holder / another partner holds it).
    PREFERRED = "preferred"
    PREFERRED_PROTECTED_FOR_ANOTHER = "preferred-another-protected"

    @property
    def protected_for_another(self) -> bool:
        return self in (
            Protection.PROTECTED_FOR_ANOTHER,
            Protection.PREFERRED_PROTECTED_FOR_ANOTHER,
        )


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
    if protection.protected_for_another:
        tier_discount = rules.tier_terms(Tier.REGISTERED).base_discount
    else:
        tier_discount = rules.tier_terms(tier).base_discount
    uplift = Decimal(0)
    if protection is Protection.HOLDER:
        uplift = (
            rules.tier_terms(tier).registration_uplift
            + rules.specialization_terms(specialization).uplift_bonus
        )
    elif protection in (Protection.PREFERRED, Protection.PREFERRED_PROTECTED_FOR_ANOTHER):
        uplift = rules.tier_terms(tier).non_exclusive_uplift
    net = (list_price * (HUNDRED - tier_discount - uplift) / HUNDRED).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return QuotePrice(list_price, tier, tier_discount, uplift, net, protection, rules.version)
