"""The dashboard's own questions of the projections, beside those in ``projections``.

Months are folded in Python from per-day counts: SQLite and PostgreSQL spell "the month of a
date" differently, and a program takes a few hundred decision days at most.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, func, select

from projections.models.exclusivity_decisions import exclusivity_decision
from projections.models.opportunities import opportunity
from projections.models.partner_status import partner_status
from projections.models.specializations import SpecializationRoster

OUTCOMES = ("granted", "denied")


@dataclass(frozen=True)
class MonthlyDecisions:
    month: str  # YYYY-MM
    granted: int
    denied: int


@dataclass(frozen=True)
class RecentDecision:
    opportunity: str
    partner: str
    outcome: str
    reason_code: str
    decided_on: date


@dataclass(frozen=True)
class SpecializationByTier:
    specialization: str
    by_tier: dict[str, int]  # tier -> partners holding the specialization
    partners: list[str]


def decisions_per_month(connection: Connection) -> list[MonthlyDecisions]:
    """Granted and denied decisions in every month from the first decision to the last."""
    days = connection.execute(
        select(exclusivity_decision.c.decided_on, exclusivity_decision.c.outcome, func.count())
        .group_by(exclusivity_decision.c.decided_on, exclusivity_decision.c.outcome)
        .order_by(exclusivity_decision.c.decided_on)
    ).all()
    if not days:
        return []
    counts: Counter[tuple[str, str]] = Counter()
    for day, outcome, count in days:
        counts[(_month(day), outcome)] += int(count)
    return [
        MonthlyDecisions(month, counts[(month, "granted")], counts[(month, "denied")])
        for month in _months_between(days[0][0], days[-1][0])
    ]


def recent_decisions(connection: Connection, limit: int = 15) -> list[RecentDecision]:
    """The last `limit` decisions taken, newest first."""
    rows = connection.execute(
        select(
            opportunity.c.reference,
            partner_status.c.code,
            exclusivity_decision.c.outcome,
            exclusivity_decision.c.reason_code,
            exclusivity_decision.c.decided_on,
        )
        .join(opportunity, opportunity.c.opportunity_id == exclusivity_decision.c.opportunity_id)
        .join(partner_status, partner_status.c.partner_id == exclusivity_decision.c.partner_id)
        .order_by(exclusivity_decision.c.position.desc())
        .limit(limit)
    )
    return [RecentDecision(*row) for row in rows]


def specializations_by_tier(
    connection: Connection, roster: list[SpecializationRoster]
) -> list[SpecializationByTier]:
    """How many partners of each tier hold each specialization in `roster`."""
    # Rows unpack as (code, tier) pairs; SQLAlchemy 2.1 deprecates Result.tuples() for this.
    tiers = dict(connection.execute(select(partner_status.c.code, partner_status.c.tier)).all())
    return [
        SpecializationByTier(
            entry.specialization,
            dict(Counter(tiers[code] for code in entry.partners)),
            entry.partners,
        )
        for entry in roster
    ]


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months_between(first: date, last: date) -> list[str]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
