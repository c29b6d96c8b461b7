"""Qualified revenue: one row per credit of a won opportunity to a partner."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Column, Connection, Date, Numeric, String, Table, func, select

from contracts.wire.envelope import Envelope
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

revenue_credit = Table(
    "revenue_credit",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("opportunity_id", String(36), nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("won_on", Date, nullable=False),
)


def revenue_credited(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        revenue_credit,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "opportunity_id": str(p["opportunity_id"]),
            "amount": p["amount"],
            "won_on": p["won_on"],
        },
    )


HANDLERS: dict[str, Handler] = {"partner.qualified-revenue-credited": revenue_credited}


def qualified_revenue(
    connection: Connection, as_of: date, window_days: int, partner_ids: list[str]
) -> dict[str, Decimal]:
    """Revenue credited to each partner id in the `window_days` up to `as_of`."""
    rows = connection.execute(
        select(revenue_credit.c.partner_id, func.sum(revenue_credit.c.amount))
        .where(
            revenue_credit.c.partner_id.in_(partner_ids),
            revenue_credit.c.won_on > as_of - timedelta(days=window_days),
            revenue_credit.c.won_on <= as_of,
        )
        .group_by(revenue_credit.c.partner_id)
    )
    return {partner_id: Decimal(total) for partner_id, total in rows}
