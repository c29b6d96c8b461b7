"""Tier history: one row per tier change, with the revenue and evidence the review weighed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Connection, Date, Numeric, String, Table, Text, select

from contracts.wire.envelope import Envelope
from projections.models.partner_status import partner_status
from projections.schema import id_list, metadata
from projections.writer import BatchWriter, Handler

tier_change = Table(
    "tier_change",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("from_tier", String(20), nullable=False),
    Column("to_tier", String(20), nullable=False),
    Column("reviewed_on", Date, nullable=False),
    Column("rules_version", String(40), nullable=False),
    Column("qualified_revenue", Numeric(18, 2), nullable=False),
    Column("evidence_event_ids", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)


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


def tier_changed(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        tier_change,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "from_tier": p["from_tier"].value,
            "to_tier": p["to_tier"].value,
            "reviewed_on": p["reviewed_on"],
            "rules_version": p["rules_version"],
            "qualified_revenue": p["qualified_revenue"],
            "evidence_event_ids": id_list(p["evidence_event_ids"]),
            "position": e.position,
        },
    )


HANDLERS: dict[str, Handler] = {"partner.tier-changed": tier_changed}


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
