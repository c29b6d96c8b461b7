"""Specializations: one row per award, keyed by the award's event id, ended by a withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    String,
    Table,
    and_,
    or_,
    select,
    update,
)

from contracts.wire.envelope import Envelope
from projections.models.partner_status import partner_status
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

# A specialization withdrawn and awarded again (even on the same day) is two rows. A withdrawal
# ends the partner's award still in force.
partner_specialization = Table(
    "partner_specialization",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("specialization", String(40), nullable=False),
    Column("awarded_on", Date, nullable=False),
    Column("contract_reference", String(100), nullable=False),
    Column("withdrawn_on", Date, nullable=True),
)


@dataclass(frozen=True)
class SpecializationRoster:
    specialization: str
    partners: list[str]


def specialization_awarded(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        partner_specialization,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "specialization": p["specialization"].value,
            "awarded_on": p["awarded_on"],
            "contract_reference": p["contract_reference"],
            "withdrawn_on": None,
        },
    )


def specialization_withdrawn(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.execute(
        update(partner_specialization)
        .where(
            and_(
                partner_specialization.c.partner_id == str(e.aggregate_id),
                partner_specialization.c.specialization == p["specialization"].value,
                partner_specialization.c.withdrawn_on.is_(None),
            )
        )
        .values(withdrawn_on=p["withdrawn_on"])
    )


HANDLERS: dict[str, Handler] = {
    "partner.specialization-awarded": specialization_awarded,
    "partner.specialization-withdrawn": specialization_withdrawn,
}


def specializations_held(
    connection: Connection, as_of: date, partner_ids: list[str]
) -> dict[str, list[str]]:
    """The specializations each partner id holds on `as_of`, by name."""
    rows = connection.execute(
        select(partner_specialization.c.partner_id, partner_specialization.c.specialization)
        .where(partner_specialization.c.partner_id.in_(partner_ids), *_held_on(as_of))
        .order_by(partner_specialization.c.specialization)
    )
    held: dict[str, list[str]] = {}
    for row in rows:
        held.setdefault(row.partner_id, []).append(row.specialization)
    return held


def specialized_partners(connection: Connection, as_of: date) -> list[SpecializationRoster]:
    """Partners holding each specialization on `as_of`."""
    rows = connection.execute(
        select(partner_specialization.c.specialization, partner_status.c.code)
        .join(partner_status, partner_status.c.partner_id == partner_specialization.c.partner_id)
        .where(*_held_on(as_of))
        .order_by(partner_specialization.c.specialization, partner_status.c.code)
    )
    roster: dict[str, list[str]] = {}
    for specialization, code in rows:
        roster.setdefault(specialization, []).append(code)
    return [SpecializationRoster(s, codes) for s, codes in roster.items()]


def _held_on(as_of: date) -> tuple[ColumnElement[bool], ...]:
    """The conditions of an award in force on `as_of`."""
    return (
        partner_specialization.c.awarded_on <= as_of,
        or_(
            partner_specialization.c.withdrawn_on.is_(None),
            partner_specialization.c.withdrawn_on > as_of,
        ),
    )
