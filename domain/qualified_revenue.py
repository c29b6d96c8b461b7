"""Qualified revenue: "la qualité du chiffre d'affaires", incremental business only.

A win qualifies when the winner registered the opportunity as new business, with pre-sales
evidence, before the vendor's own sales engaged it: exclusive or not ("we pay a project, not a
purchase order"). Rule sets of the first shape (2010.1) counted only wins under exclusivity;
``qualified_revenue_requires_exclusivity`` keeps that reading for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from domain.rules import ProgramRules


def qualifying_decision(
    winner: UUID,
    holder: tuple[UUID, UUID] | None,
    incremental_registrations: Mapping[UUID, UUID],
    rules: ProgramRules,
) -> UUID | None:
    """The decision a win's revenue credit relies on, or None when the win does not qualify.

    `holder` is (partner id, decision id) of the protection in force at the win;
    `incremental_registrations` maps each partner to its latest decision on a registration
    of incremental business.
    """
    if holder is not None and holder[0] == winner:
        return holder[1]
    if rules.qualified_revenue_requires_exclusivity:
        return None
    return incremental_registrations.get(winner)
