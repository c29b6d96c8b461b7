"""Benefits of protection: one row per exclusivity decision that came with them, keyed by it,
with the pre-sales engineer days drawn and how the benefits ended."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    case,
    func,
    select,
    update,
)

from contracts.wire.envelope import Envelope
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

protection_benefit = Table(
    "protection_benefit",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("engineer_days", Integer, nullable=False),
    Column("engineer_days_used", Integer, nullable=False),
    Column("extended_support", Boolean, nullable=False),
    Column("granted_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(30), nullable=True),
    Column("rules_version", String(40), nullable=False),
)


@dataclass(frozen=True)
class BenefitsTotals:
    grants: int
    engineer_days: int
    engineer_days_used: int
    with_extended_support: int


def benefits_granted(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        protection_benefit,
        {
            "decision_id": str(p["decision_id"]),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "engineer_days": p["presales_engineer_days"],
            "engineer_days_used": 0,
            "extended_support": p["extended_support"],
            "granted_on": p["granted_on"],
            "rules_version": p["rules_version"],
        },
    )


def engineer_days_consumed(writer: BatchWriter, e: Envelope) -> None:
    used = protection_benefit.c.engineer_days_used
    writer.execute(
        update(protection_benefit)
        .where(protection_benefit.c.decision_id == str(e.payload["decision_id"]))
        .values(engineer_days_used=used + e.payload["days"])
    )


def benefits_ended(writer: BatchWriter, e: Envelope) -> None:
    writer.execute(
        update(protection_benefit)
        .where(protection_benefit.c.decision_id == str(e.payload["decision_id"]))
        .values(ended_on=e.payload["ended_on"], end_reason=e.payload["reason"])
    )


HANDLERS: dict[str, Handler] = {
    "opportunity.benefits-granted": benefits_granted,
    "opportunity.engineer-days-consumed": engineer_days_consumed,
    "opportunity.benefits-ended": benefits_ended,
}


def benefits_totals(connection: Connection) -> BenefitsTotals:
    row = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(protection_benefit.c.engineer_days), 0),
            func.coalesce(func.sum(protection_benefit.c.engineer_days_used), 0),
            func.coalesce(func.sum(case((protection_benefit.c.extended_support, 1), else_=0)), 0),
        )
    ).one()
    return BenefitsTotals(*(int(v) for v in row))
