"""Quotes: one row per quote issued, keyed by its event, with the discounts it applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Date, Numeric, String, Table, select

from contracts.wire.envelope import Envelope
from projections.models.opportunities import opportunity
from projections.models.partner_status import partner_status
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

quote = Table(
    "quote",
    metadata,
    Column("quote_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("list_price", Numeric(18, 2), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("tier_discount", Numeric(6, 2), nullable=False),
    Column("registration_uplift", Numeric(6, 2), nullable=False),
    Column("net_price", Numeric(18, 2), nullable=False),
    Column("protection", String(30), nullable=False),
    Column("decision_id", String(36), nullable=True),
    Column("rules_version", String(40), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("position", BigInteger, nullable=False),
)


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


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def quote_issued(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        quote,
        {
            "quote_id": str(e.event_id),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "list_price": p["list_price"],
            "tier": p["tier"].value,
            "tier_discount": p["tier_discount"],
            "registration_uplift": p["registration_uplift"],
            "net_price": p["net_price"],
            "protection": p["protection"],
            "decision_id": _id(p["decision_id"]),
            "rules_version": p["rules_version"],
            "issued_on": p["issued_on"],
            "position": e.position,
        },
    )


HANDLERS: dict[str, Handler] = {"opportunity.quote-issued": quote_issued}


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
