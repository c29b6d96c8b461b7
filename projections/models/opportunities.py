"""Opportunities: one row per registered deal, with its status and the protection in force.

Only opening and vendor engagement are claimed here. The events that protect an opportunity,
end its protection or close it are claimed by models.exclusivity_decisions, which records the
decision first and updates this row through `update_opportunity`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, Numeric, String, Table, update

from contracts.wire.envelope import Envelope
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

opportunity = Table(
    "opportunity",
    metadata,
    Column("opportunity_id", String(36), primary_key=True),
    Column("reference", String(200), nullable=False, unique=True),
    Column("end_customer", String(200), nullable=False),
    Column("specialization", String(40), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("vendor_sales_engaged", Boolean, nullable=False),
    Column("status", String(10), nullable=False),  # open, won, lost
    Column("protected_by", String(36), nullable=True),
    Column("protection_decision_id", String(36), nullable=True),
    Column("protection_valid_until", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("won_by", String(36), nullable=True),
    Column("amount", Numeric(18, 2), nullable=True),
    Column("lost_to", String(200), nullable=True),
    Column("qualified", Boolean, nullable=True),
)


def opportunity_opened(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        opportunity,
        {
            "opportunity_id": str(e.aggregate_id),
            "reference": p["reference"],
            "end_customer": p["end_customer"],
            "specialization": p["specialization"].value,
            "opened_on": p["opened_on"],
            "vendor_sales_engaged": False,
            "status": "open",
        },
    )


def update_opportunity(writer: BatchWriter, e: Envelope, **values: Any) -> None:
    """Set `values` on the row of the event's opportunity."""
    writer.execute(
        update(opportunity)
        .where(opportunity.c.opportunity_id == str(e.aggregate_id))
        .values(**values)
    )


def vendor_sales_engaged(writer: BatchWriter, e: Envelope) -> None:
    update_opportunity(writer, e, vendor_sales_engaged=True)


HANDLERS: dict[str, Handler] = {
    "opportunity.opened": opportunity_opened,
    "opportunity.vendor-sales-engaged": vendor_sales_engaged,
}
