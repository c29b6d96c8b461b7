"""Benefits of protection: vendor pre-sales engineer days and extended support.

They come with an exclusivity ("un accès exclusif aux ressources, un support étendu") and only
with one: granted with the protection, drawn against it, and ended with it, so an auditor can
show that exclusive resources went only to protected partners.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.errors import EngineerDaysExhausted, NonPositiveDays, NoProtectionBenefits
from domain.rules import ProgramRules


@dataclass(frozen=True)
class ProtectionBenefits:
    decision_id: UUID
    partner_id: UUID
    engineer_days: int
    engineer_days_used: int
    extended_support: bool

    @property
    def engineer_days_left(self) -> int:
        return self.engineer_days - self.engineer_days_used


def benefits_granted(rules: ProgramRules) -> bool:
    """Whether the rules give a protection anything beyond its price."""
    return rules.presales_engineer_days > 0 or rules.extended_support


def check_consumption(
    benefits: ProtectionBenefits | None, partner_id: UUID | None, days: int
) -> ProtectionBenefits:
    """Engineer days are drawn only by the protected partner (None: whoever that is), within
    what its protection got; returns the grant they are drawn from."""
    if days < 1:
        raise NonPositiveDays(f"engineer days drawn must be at least 1, not {days}")
    if benefits is None and partner_id is None:
        raise NoProtectionBenefits(
            "no protection in force on the opportunity carries vendor pre-sales engineer days"
        )
    if benefits is None or (partner_id is not None and benefits.partner_id != partner_id):
        raise NoProtectionBenefits(
            "vendor pre-sales engineers are reserved to the partner protected on the opportunity"
        )
    if days > benefits.engineer_days_left:
        raise EngineerDaysExhausted(
            f"{days} engineer days asked, {benefits.engineer_days_left} left of "
            f"{benefits.engineer_days} granted with the protection"
        )
    return benefits
