"""Questions about the program: decisions, quotes, expiring registrations, tier history.

Answers name partners by code. A caller serving a partner (the portal) must filter by that
partner itself; these views are for ops and auditors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, case, func, or_, select

from projections.tables import (
    dead_letter,
    exclusivity_decision,
    opportunity,
    partner_specialization,
    partner_status,
    program_rules,
    quote,
    tier_change,
)


@dataclass(frozen=True)
class DecisionView:
    decision_id: str
    opportunity: str
    partner: str
    outcome: str
    reason_code: str
    rules_version: str
    evidence_event_ids: list[str]
    decided_on: date
    valid_until: date | None
    ended_on: date | None
    end_reason: str | None


@dataclass(frozen=True)
class QuoteView:
    quote_id: str
    opportunity: str
    partner: str
    tier: str
    list_price: Decimal
    tier_discount: Decimal
    registration_uplift: Decimal
    net_price: Decimal
    protection: str
    decision_id: str | None
    issued_on: date


@dataclass(frozen=True)
class TierChangeView:
    partner: str
    from_tier: str
    to_tier: str
    reviewed_on: date
    rules_version: str
    qualified_revenue: Decimal
    evidence_event_ids: list[str]
    event_id: str  # the tier-changed event: what `ledger audit explain` takes


@dataclass(frozen=True)
class DecisionCount:
    outcome: str
    reason_code: str
    count: int


def decision_history(connection: Connection, reference: str) -> list[DecisionView]:
    """Every exclusivity decision taken on one opportunity, in the order they were taken."""
    query = (
        _decisions_query()
        .where(opportunity.c.reference == reference)
        .order_by(exclusivity_decision.c.position)
    )
    return [_decision(row) for row in connection.execute(query)]


def expiring_registrations(
    connection: Connection, as_of: date, within_days: int
) -> list[DecisionView]:
    """Protections in force on `as_of` that lapse within the next `within_days` days."""
    query = (
        _decisions_query()
        .where(
            exclusivity_decision.c.outcome == "granted",
            exclusivity_decision.c.ended_on.is_(None),
            exclusivity_decision.c.valid_until > as_of,
            exclusivity_decision.c.valid_until <= as_of + timedelta(days=within_days),
        )
        .order_by(exclusivity_decision.c.valid_until, opportunity.c.reference)
    )
    return [_decision(row) for row in connection.execute(query)]


def quotes_for(connection: Connection, reference: str) -> list[QuoteView]:
    query = (
        select(quote, opportunity.c.reference, partner_status.c.code)
        .join(opportunity, opportunity.c.opportunity_id == quote.c.opportunity_id)
        .join(partner_status, partner_status.c.partner_id == quote.c.partner_id)
        .where(opportunity.c.reference == reference)
        .order_by(quote.c.position)
    )
    return [
        QuoteView(
            quote_id=row.quote_id,
            opportunity=row.reference,
            partner=row.code,
            tier=row.tier,
            list_price=row.list_price,
            tier_discount=row.tier_discount,
            registration_uplift=row.registration_uplift,
            net_price=row.net_price,
            protection=row.protection,
            decision_id=row.decision_id,
            issued_on=row.issued_on,
        )
        for row in connection.execute(query)
    ]


def decision_counts(connection: Connection) -> list[DecisionCount]:
    query = (
        select(exclusivity_decision.c.outcome, exclusivity_decision.c.reason_code, func.count())
        .group_by(exclusivity_decision.c.outcome, exclusivity_decision.c.reason_code)
        .order_by(exclusivity_decision.c.outcome.desc(), func.count().desc())
    )
    return [DecisionCount(o, r, int(c)) for o, r, c in connection.execute(query)]


def tier_history(connection: Connection, code: str | None = None) -> list[TierChangeView]:
    query = (
        select(tier_change, partner_status.c.code)
        .join(partner_status, partner_status.c.partner_id == tier_change.c.partner_id)
        .order_by(tier_change.c.reviewed_on, partner_status.c.code)
    )
    if code is not None:
        query = query.where(partner_status.c.code == code)
    return [
        TierChangeView(
            partner=row.code,
            from_tier=row.from_tier,
            to_tier=row.to_tier,
            reviewed_on=row.reviewed_on,
            rules_version=row.rules_version,
            qualified_revenue=row.qualified_revenue,
            evidence_event_ids=json.loads(row.evidence_event_ids),
            event_id=row.event_id,
        )
        for row in connection.execute(query)
    ]


def rules_document_in_force(connection: Connection, as_of: date) -> dict[str, Any] | None:
    """The published rule set in force on `as_of`, as published.

    As in the ledger, of sets effective the same day the one published last wins.
    """
    row = connection.execute(
        select(program_rules.c.document)
        .where(program_rules.c.effective_from <= as_of)
        .order_by(program_rules.c.effective_from.desc(), program_rules.c.position.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(json.loads(row.document))


def _decisions_query() -> Select[Any]:
    return (
        select(exclusivity_decision, opportunity.c.reference, partner_status.c.code)
        .join(opportunity, opportunity.c.opportunity_id == exclusivity_decision.c.opportunity_id)
        .join(partner_status, partner_status.c.partner_id == exclusivity_decision.c.partner_id)
    )


def _decision(row: Any) -> DecisionView:
    return DecisionView(
        decision_id=row.decision_id,
        opportunity=row.reference,
        partner=row.code,
        outcome=row.outcome,
        reason_code=row.reason_code,
        rules_version=row.rules_version,
        evidence_event_ids=json.loads(row.evidence_event_ids),
        decided_on=row.decided_on,
        valid_until=row.valid_until,
        ended_on=row.ended_on,
        end_reason=row.end_reason,
    )


@dataclass(frozen=True)
class TierCount:
    tier: str
    partners: int


@dataclass(frozen=True)
class SpecializationRoster:
    specialization: str
    partners: list[str]


def partners_per_tier(connection: Connection) -> list[TierCount]:
    rows = connection.execute(
        select(partner_status.c.tier, func.count()).group_by(partner_status.c.tier)
    )
    order = ["platinum", "gold", "silver", "registered"]
    counts = {tier: int(count) for tier, count in rows}
    return [TierCount(tier, counts[tier]) for tier in order if tier in counts]


def specialized_partners(connection: Connection, as_of: date) -> list[SpecializationRoster]:
    """Partners holding each specialization on `as_of`."""
    rows = connection.execute(
        select(partner_specialization.c.specialization, partner_status.c.code)
        .join(partner_status, partner_status.c.partner_id == partner_specialization.c.partner_id)
        .where(
            partner_specialization.c.awarded_on <= as_of,
            or_(
                partner_specialization.c.withdrawn_on.is_(None),
                partner_specialization.c.withdrawn_on > as_of,
            ),
        )
        .order_by(partner_specialization.c.specialization, partner_status.c.code)
    )
    roster: dict[str, list[str]] = {}
    for specialization, code in rows:
        roster.setdefault(specialization, []).append(code)
    return [SpecializationRoster(s, codes) for s, codes in roster.items()]


def most_contested_opportunity(connection: Connection) -> str | None:
    """The protected opportunity with the most registrations: the rules' best illustration."""
    granted = func.sum(case((exclusivity_decision.c.outcome == "granted", 1), else_=0))
    row = connection.execute(
        select(opportunity.c.reference)
        .join(
            exclusivity_decision,
            exclusivity_decision.c.opportunity_id == opportunity.c.opportunity_id,
        )
        .group_by(opportunity.c.reference)
        .order_by((granted > 0).desc(), func.count().desc(), opportunity.c.reference)
        .limit(1)
    ).first()
    return None if row is None else str(row.reference)


def latest_decision_date(connection: Connection) -> date | None:
    """The business date of the last decision: "now" in a replayed history."""
    value = connection.execute(select(func.max(exclusivity_decision.c.decided_on))).scalar()
    return value if isinstance(value, date) else None


@dataclass(frozen=True)
class DeadLetterView:
    topic: str
    partition: int
    offset: int
    reason: str


def dead_letters(connection: Connection) -> list[DeadLetterView]:
    """Messages the projector set aside because it could not decode them."""
    rows = connection.execute(
        select(dead_letter).order_by(
            dead_letter.c.topic, dead_letter.c.partition, dead_letter.c.offset
        )
    )
    return [DeadLetterView(r.topic, r.partition, r.offset, r.reason) for r in rows]
