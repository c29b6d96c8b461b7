"""Certifications: one row per certification earned, ended when it expires or is revoked."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Date, Integer, String, Table, and_, or_, select, update

from contracts.wire.envelope import Envelope
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

partner_certification = Table(
    "partner_certification",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("partner_version", Integer, primary_key=True),
    Column("individual", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("specialization", String(40), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),  # expired or revoked
)


def certification_row(envelope: Envelope) -> dict[str, Any]:
    """The `partner_certification` row of a certification-earned event."""
    payload = envelope.payload
    return {
        "partner_id": str(envelope.aggregate_id),
        "partner_version": envelope.aggregate_version,
        "individual": payload["individual"],
        "kind": payload["kind"].value,
        "specialization": payload["specialization"].value,
        "effective_on": payload["effective_on"],
        "expires_on": payload["expires_on"],
    }


def _end_certification(writer: BatchWriter, e: Envelope, *conditions: Any, on: Any) -> None:
    p = e.payload
    writer.execute(
        update(partner_certification)
        .where(
            and_(
                partner_certification.c.partner_id == str(e.aggregate_id),
                partner_certification.c.individual == p["individual"],
                partner_certification.c.kind == p["kind"].value,
                partner_certification.c.specialization == p["specialization"].value,
                partner_certification.c.ended_on.is_(None),
                *conditions,
            )
        )
        .values(ended_on=on)
    )


def certification_earned(writer: BatchWriter, e: Envelope) -> None:
    # Inserted in event order with the handlers that end certifications: a revocation or
    # expiry only ever sees the certifications earned before it.
    writer.insert(partner_certification, certification_row(e))


def certification_expired(writer: BatchWriter, e: Envelope) -> None:
    # Only the lapsed certification: a renewal of the same person stays in force.
    expired_on = e.payload["expired_on"]
    _end_certification(writer, e, partner_certification.c.expires_on == expired_on, on=expired_on)


def certification_revoked(writer: BatchWriter, e: Envelope) -> None:
    revoked_on = e.payload["revoked_on"]
    _end_certification(
        writer,
        e,
        partner_certification.c.effective_on <= revoked_on,
        partner_certification.c.expires_on > revoked_on,
        on=revoked_on,
    )


HANDLERS: dict[str, Handler] = {
    "partner.certification-earned": certification_earned,
    "partner.certification-expired": certification_expired,
    "partner.certification-revoked": certification_revoked,
}


def active_certifications(
    connection: Connection, as_of: date, partner_ids: list[str]
) -> dict[str, list[tuple[str, str]]]:
    """(kind, specialization) of each certification in force on `as_of`, per partner id."""
    rows = connection.execute(
        select(
            partner_certification.c.partner_id,
            partner_certification.c.kind,
            partner_certification.c.specialization,
        ).where(
            partner_certification.c.partner_id.in_(partner_ids),
            partner_certification.c.effective_on <= as_of,
            partner_certification.c.expires_on > as_of,
            or_(
                partner_certification.c.ended_on.is_(None),
                partner_certification.c.ended_on > as_of,
            ),
        )
    )
    active: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        active.setdefault(row.partner_id, []).append((row.kind, row.specialization))
    return active
