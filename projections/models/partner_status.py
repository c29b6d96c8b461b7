"""Partner status: one row per partner (code, name, tier now and at enrolment), a pure fold of
partner events with its batched persistence, and the partner counts by tier.

A batch of envelopes is folded in memory over the rows it touches, then written back in a
few statements: one round trip per batch rather than per event. Only `partner_status` is
written here, so batching cannot reorder it against other tables: certification rows are
written by their own handler (models.certifications), in event order with the events that end
them. The fold is applied by projections.dispatch before the batch's handlers, so it claims no
event type in a `HANDLERS` map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    bindparam,
    case,
    func,
    select,
)

from contracts.wire.envelope import Envelope
from projections.schema import metadata

TIERS_HIGHEST_FIRST = ("platinum", "gold", "silver", "registered")

partner_status = Table(
    "partner_status",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("code", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("legacy_tier", String(20), nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("certifications_earned", Integer, nullable=False),
    # Per-aggregate version and global position of the last event folded in: a replayed or
    # duplicated event (version not above this) changes nothing.
    Column("version", Integer, nullable=False),
    Column("last_position", BigInteger, nullable=False),
)


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
        # certifications.certification_earned, in event order with the events that end it.
        row.certifications_earned += 1
    if row is None:
        return
    row.version = envelope.aggregate_version
    row.last_position = envelope.position
    batch.changed.add(partner_id)


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


@dataclass(frozen=True)
class TierCount:
    tier: str
    partners: int


@dataclass(frozen=True)
class TierThenAndNow:
    tier: str
    at_enrolment: int
    now: int


def partners_per_tier(connection: Connection) -> list[TierCount]:
    rows = connection.execute(
        select(partner_status.c.tier, func.count()).group_by(partner_status.c.tier)
    )
    counts = {tier: int(count) for tier, count in rows}
    return [TierCount(tier, counts[tier]) for tier in TIERS_HIGHEST_FIRST if tier in counts]


def tiers_then_and_now(connection: Connection) -> list[TierThenAndNow]:
    """Partners per tier at enrolment (their legacy tier) and today, side by side."""
    legacy = _count_by(connection, partner_status.c.legacy_tier)
    now = _count_by(connection, partner_status.c.tier)
    return [
        TierThenAndNow(tier, legacy.get(tier, 0), now.get(tier, 0)) for tier in TIERS_HIGHEST_FIRST
    ]


def _count_by(connection: Connection, column: Any) -> dict[str, int]:
    rows = connection.execute(select(column, func.count()).group_by(column))
    return {str(value): int(count) for value, count in rows}


def legacy_metals_still_metal(connection: Connection) -> tuple[int, int]:
    """(legacy metal partners still metal today, legacy metal partners)."""
    legacy_metal = partner_status.c.legacy_tier != "registered"
    still = partner_status.c.tier != "registered"
    row = connection.execute(
        select(func.coalesce(func.sum(case((still, 1), else_=0)), 0), func.count()).where(
            legacy_metal
        )
    ).one()
    return int(row[0]), int(row[1])
