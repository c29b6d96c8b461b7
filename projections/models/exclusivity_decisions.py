"""Exclusivity decisions: one row per decision (granted, denied, preferred), keyed by the event
that recorded it, with when and why a protection granted ended.

Won and lost are claimed here rather than by models.opportunities: each ends the protection in
force before the opportunity's row is closed, one handler per event type keeping that order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    or_,
    select,
    update,
)

from contracts.wire.envelope import Envelope
from projections.models.opportunities import opportunity, update_opportunity
from projections.models.partner_status import partner_status
from projections.schema import id_list, metadata
from projections.writer import BatchWriter, Handler

exclusivity_decision = Table(
    "exclusivity_decision",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("outcome", String(10), nullable=False),  # granted, denied
    Column("reason_code", String(60), nullable=False),
    Column("rules_version", String(40), nullable=False),
    Column("evidence_event_ids", Text, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("valid_until", Date, nullable=True, index=True),  # expiring registrations
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(20), nullable=True),  # expired, released, won, lost
    Column("position", BigInteger, nullable=False),
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
class DecisionCount:
    outcome: str
    reason_code: str
    count: int


def _insert_decision(writer: BatchWriter, e: Envelope, outcome: str) -> None:
    p = e.payload
    writer.insert(
        exclusivity_decision,
        {
            "decision_id": str(e.event_id),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "outcome": outcome,
            "reason_code": p["reason_code"],
            "rules_version": p["rules_version"],
            "evidence_event_ids": id_list(p["evidence_event_ids"]),
            "decided_on": p["decided_on"],
            "valid_until": p.get("valid_until"),
            "position": e.position,
        },
    )


def exclusivity_granted(writer: BatchWriter, e: Envelope) -> None:
    _insert_decision(writer, e, "granted")
    update_opportunity(
        writer,
        e,
        protected_by=str(e.payload["partner_id"]),
        protection_decision_id=str(e.event_id),
        protection_valid_until=e.payload["valid_until"],
    )


def exclusivity_denied(writer: BatchWriter, e: Envelope) -> None:
    _insert_decision(writer, e, "denied")


def registered_non_exclusive(writer: BatchWriter, e: Envelope) -> None:
    # "preferred": pre-sales work rewarded with conditions, without exclusivity.
    _insert_decision(writer, e, "preferred")


def _end_protection(writer: BatchWriter, e: Envelope, on: Any, reason: str) -> None:
    """Close the opportunity's active protection, if any, recording why it ended."""
    writer.execute(
        update(exclusivity_decision)
        .where(
            and_(
                exclusivity_decision.c.opportunity_id == str(e.aggregate_id),
                exclusivity_decision.c.outcome == "granted",
                exclusivity_decision.c.ended_on.is_(None),
            )
        )
        .values(ended_on=on, end_reason=reason)
    )
    update_opportunity(
        writer, e, protected_by=None, protection_decision_id=None, protection_valid_until=None
    )


def exclusivity_expired(writer: BatchWriter, e: Envelope) -> None:
    _end_protection(writer, e, e.payload["expired_on"], "expired")


def exclusivity_released(writer: BatchWriter, e: Envelope) -> None:
    _end_protection(writer, e, e.payload["released_on"], "released")


def opportunity_won(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    _end_protection(writer, e, p["won_on"], "won")
    update_opportunity(
        writer,
        e,
        status="won",
        closed_on=p["won_on"],
        won_by=str(p["partner_id"]),
        amount=p["amount"],
        qualified=p["qualified"],
    )


def opportunity_lost(writer: BatchWriter, e: Envelope) -> None:
    _end_protection(writer, e, e.payload["lost_on"], "lost")
    update_opportunity(
        writer, e, status="lost", closed_on=e.payload["lost_on"], lost_to=e.payload["lost_to"]
    )


HANDLERS: dict[str, Handler] = {
    "opportunity.exclusivity-granted": exclusivity_granted,
    "opportunity.exclusivity-denied": exclusivity_denied,
    "opportunity.registered-non-exclusive": registered_non_exclusive,
    "opportunity.exclusivity-expired": exclusivity_expired,
    "opportunity.exclusivity-released": exclusivity_released,
    "opportunity.won": opportunity_won,
    "opportunity.lost": opportunity_lost,
}


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


def decision_counts(connection: Connection) -> list[DecisionCount]:
    query = (
        select(exclusivity_decision.c.outcome, exclusivity_decision.c.reason_code, func.count())
        .group_by(exclusivity_decision.c.outcome, exclusivity_decision.c.reason_code)
        # The reason breaks ties, so pages of this list (GET /decisions) are stable.
        .order_by(
            exclusivity_decision.c.outcome.desc(),
            func.count().desc(),
            exclusivity_decision.c.reason_code,
        )
    )
    return [DecisionCount(o, r, int(c)) for o, r, c in connection.execute(query)]


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


def protections_held(connection: Connection, as_of: date, partner_ids: list[str]) -> dict[str, int]:
    """How many protections each partner id holds on `as_of`."""
    rows = connection.execute(
        select(exclusivity_decision.c.partner_id, func.count())
        .where(
            exclusivity_decision.c.partner_id.in_(partner_ids),
            exclusivity_decision.c.outcome == "granted",
            exclusivity_decision.c.decided_on <= as_of,
            exclusivity_decision.c.valid_until > as_of,
            or_(
                exclusivity_decision.c.ended_on.is_(None),
                exclusivity_decision.c.ended_on > as_of,
            ),
        )
        .group_by(exclusivity_decision.c.partner_id)
    )
    return {partner_id: int(count) for partner_id, count in rows}


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
