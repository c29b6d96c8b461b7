"""Registrations waiting for a channel manager: one row per suspected conflict, with the other
opportunity it matched and what the rule alone would have decided.

The registration's decision also goes into the exclusivity decision history (outcome
"pending"), which partners read; the conflicting opportunity lives only here, in a table no
partner-facing query reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Date, String, Table, Text, select

from contracts.wire.envelope import Envelope
from projections.models.exclusivity_decisions import exclusivity_decision
from projections.models.opportunities import opportunity
from projections.models.partner_status import partner_status
from projections.schema import id_list, metadata
from projections.writer import BatchWriter, Handler

CONFLICT_SUSPECTED = "review-conflict-suspected"

registration_review = Table(
    "registration_review",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("rule_reason_code", String(60), nullable=False),
    Column("conflicting_opportunity_id", String(36), nullable=False),
    Column("conflicting_reference", String(200), nullable=False),
    Column("matched_keys", Text, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("status", String(20), nullable=False),  # pending
    Column("position", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class ReviewView:
    decision_id: str
    opportunity: str
    partner: str
    rule_reason_code: str
    conflicting_reference: str
    matched_keys: list[str]
    opened_on: date
    status: str


def conflict_suspected(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        exclusivity_decision,
        {
            "decision_id": str(e.event_id),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "outcome": "pending",
            "reason_code": CONFLICT_SUSPECTED,
            "rules_version": p["rules_version"],
            "evidence_event_ids": id_list(p["evidence_event_ids"]),
            "decided_on": p["decided_on"],
            "valid_until": None,
            "position": e.position,
        },
    )
    writer.insert(
        registration_review,
        {
            "decision_id": str(e.event_id),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "rule_reason_code": p["rule_reason_code"],
            "conflicting_opportunity_id": str(p["conflicting_opportunity_id"]),
            "conflicting_reference": p["conflicting_reference"],
            "matched_keys": json.dumps(list(p["matched_keys"])),
            "opened_on": p["decided_on"],
            "status": "pending",
            "position": e.position,
        },
    )


HANDLERS: dict[str, Handler] = {"opportunity.conflict-suspected": conflict_suspected}


def pending_reviews(connection: Connection) -> list[ReviewView]:
    """Every registration waiting for a channel manager, oldest first (channel managers only:
    each names the other opportunity the customer matched)."""
    query = (
        select(registration_review, opportunity.c.reference, partner_status.c.code)
        .join(opportunity, opportunity.c.opportunity_id == registration_review.c.opportunity_id)
        .join(partner_status, partner_status.c.partner_id == registration_review.c.partner_id)
        .where(registration_review.c.status == "pending")
        .order_by(registration_review.c.position)
    )
    return [_review(row) for row in connection.execute(query)]


def _review(row: Any) -> ReviewView:
    return ReviewView(
        decision_id=row.decision_id,
        opportunity=row.reference,
        partner=row.code,
        rule_reason_code=row.rule_reason_code,
        conflicting_reference=row.conflicting_reference,
        matched_keys=json.loads(row.matched_keys),
        opened_on=row.opened_on,
        status=row.status,
    )
