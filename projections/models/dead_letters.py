"""Dead letters: messages the projector could not decode, kept for ops.

Written by consumers.dead_letters as it sets a message aside, not by an event handler: a
message that cannot be decoded has no event type to claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Connection, Integer, String, Table, select

from projections.schema import metadata

dead_letter = Table(
    "dead_letter",
    metadata,
    Column("group_id", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("reason", String(1000), nullable=False),
)


@dataclass(frozen=True)
class DeadLetterView:
    topic: str
    partition: int
    offset: int
    reason: str


def dead_letters(connection: Connection) -> list[DeadLetterView]:
    """Messages the projector set aside because it could not decode them."""
    rows = connection.execute(
        select(dead_letter).order_by(
            dead_letter.c.topic, dead_letter.c.partition, dead_letter.c.offset
        )
    )
    return [DeadLetterView(r.topic, r.partition, r.offset, r.reason) for r in rows]
