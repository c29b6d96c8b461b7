"""Program rules: every rule set published, and the one in force on a date."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Date, String, Table, Text, select

from contracts.wire.envelope import Envelope
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

program_rules = Table(
    "program_rules",
    metadata,
    Column("version", String(40), primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("document", Text, nullable=False),
    Column("event_id", String(36), nullable=False),
    # Of rule sets effective the same day, the one published last (highest position) is in force.
    Column("position", BigInteger, nullable=False),
)


def rules_published(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        program_rules,
        {
            "version": p["version"],
            "effective_from": p["effective_from"],
            "document": json.dumps(p["document"], sort_keys=True),
            "event_id": str(e.event_id),
            "position": e.position,
        },
    )


HANDLERS: dict[str, Handler] = {"program.rules-published": rules_published}


def rules_document_in_force(connection: Connection, as_of: date) -> dict[str, Any] | None:
    """The published rule set in force on `as_of`, as published.

    As in the ledger, of sets effective the same day the one published last wins.
    """
    row = connection.execute(
        select(program_rules.c.document)
        .where(program_rules.c.effective_from <= as_of)
        .order_by(program_rules.c.effective_from.desc(), program_rules.c.position.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(json.loads(row.document))
