"""Partner status: a pure fold of partner events into rows, and its batched persistence.

A batch of envelopes is folded in memory over the rows it touches, then written back in a
few statements: one round trip per batch rather than per event. Only `partner_status` is
written here, so batching cannot reorder it against other tables: certification rows are
written by their own handler (program_views), in event order with the events that end them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select

from contracts.wire.envelope import Envelope
from projections.tables import partner_status


@dataclass
class PartnerStatusRow:
    partner_id: str
    code: str
    name: str
    tier: str
    legacy_tier: str
    enrolled_on: Any
    certifications_earned: int
    version: int
    last_position: int


@dataclass
class PartnerBatch:
    """Rows loaded for a batch, and what the fold changed."""

    rows: dict[str, PartnerStatusRow]
    existing: set[str]
    changed: set[str] = field(default_factory=set)


def fold(batch: PartnerBatch, envelope: Envelope, partner_id: str) -> None:
    """Apply one event of partner `partner_id` (its aggregate id as text) to the batch's rows;
    older or repeated versions are ignored."""
    row = batch.rows.get(partner_id)
    if row is not None and envelope.aggregate_version <= row.version:
        return
    payload = envelope.payload
    if envelope.event_type == "partner.enrolled":
        row = PartnerStatusRow(
            partner_id=partner_id,
            code=payload["code"],
            name=payload["name"],
            tier=payload["legacy_tier"].value,
            legacy_tier=payload["legacy_tier"].value,
            enrolled_on=payload["enrolled_on"],
            certifications_earned=0,
            version=0,
            last_position=0,
        )
        batch.rows[partner_id] = row
    elif envelope.event_type == "partner.tier-changed" and row is not None:
        row.tier = payload["to_tier"].value
    elif envelope.event_type == "partner.certification-earned" and row is not None:
        # Only counted here: the certification's own row is inserted by
        # program_views.certification_earned, in event order with the events that end it.
        row.certifications_earned += 1
    if row is None:
        return
    row.version = envelope.aggregate_version
    row.last_position = envelope.position
    batch.changed.add(partner_id)


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


def project_partner_events(connection: Connection, events: list[tuple[str, Envelope]]) -> None:
    """Fold a batch of partner envelopes, each with its aggregate id as text, into the tables,
    inside the caller's transaction."""
    batch = load_batch(connection, {partner_id for partner_id, _ in events})
    for partner_id, envelope in events:
        fold(batch, envelope, partner_id)
    write_batch(connection, batch)


def load_batch(connection: Connection, partner_ids: set[str]) -> PartnerBatch:
    result = connection.execute(
        select(partner_status).where(partner_status.c.partner_id.in_(partner_ids))
    )
    rows = {row.partner_id: PartnerStatusRow(**row._asdict()) for row in result}
    return PartnerBatch(rows=rows, existing=set(rows))


def write_batch(connection: Connection, batch: PartnerBatch) -> None:
    # The rows hold only plain values: a shallow copy is what `asdict` would give, minus its
    # per-field deep copy, which cost more than the rest of the fold.
    changed = [dict(vars(batch.rows[pid])) for pid in sorted(batch.changed)]
    inserts = [row for row in changed if row["partner_id"] not in batch.existing]
    updates = [row for row in changed if row["partner_id"] in batch.existing]
    if inserts:
        connection.execute(partner_status.insert(), inserts)
    if updates:
        connection.execute(
            partner_status.update()
            .where(partner_status.c.partner_id == bindparam("b_partner_id"))
            .values({name: bindparam(f"b_{name}") for name in updates[0] if name != "partner_id"}),
            [{f"b_{name}": value for name, value in row.items()} for row in updates],
        )
