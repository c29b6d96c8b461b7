"""A CPQ system's view of deal protection: who holds exclusivity on which opportunity, until when.

Quoting needs exactly this to price a deal: the protected specialist gets its uplift, anyone
else the standard discount. The table is kept from the opportunity topic's exclusivity events;
every event applied is also logged, keyed by event id, so a repeat would fail loudly.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Engine,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
)

from contracts.wire.catalog import CONTRACTS
from contracts.wire.envelope import Envelope

metadata = MetaData()

current_exclusivity = Table(
    "cpq_current_exclusivity",
    metadata,
    Column("opportunity_id", String(36), primary_key=True),
    Column("holder_partner_id", String(36), nullable=False),
    Column("decision_id", String(36), nullable=False),
    Column("valid_until", Date, nullable=False),
)

applied_event = Table(
    "cpq_applied_event",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False),
    Column("event_type", String(60), nullable=False),
    Column("position", BigInteger, nullable=False),
)

GRANTED = "opportunity.exclusivity-granted"
# Each of these ends the protection in force, if any.
ENDING = frozenset(
    {
        "opportunity.exclusivity-expired",
        "opportunity.exclusivity-released",
        "opportunity.won",
        "opportunity.lost",
    }
)
_PUBLISHED = {contract.event_type for contract in CONTRACTS}
if not {GRANTED, *ENDING} <= _PUBLISHED:  # pragma: no cover - a renamed event must fail here
    raise LookupError(f"not published: {sorted({GRANTED, *ENDING} - _PUBLISHED)}")


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)


def apply(envelope: Envelope, connection: Connection) -> None:
    """Fold one opportunity event into the current exclusivities (other events are ignored)."""
    if envelope.event_type != GRANTED and envelope.event_type not in ENDING:
        return
    opportunity_id = str(envelope.aggregate_id)
    connection.execute(
        insert(applied_event).values(
            event_id=str(envelope.event_id),
            opportunity_id=opportunity_id,
            event_type=envelope.event_type,
            position=envelope.position,
        )
    )
    connection.execute(
        delete(current_exclusivity).where(current_exclusivity.c.opportunity_id == opportunity_id)
    )
    if envelope.event_type == GRANTED:
        connection.execute(
            insert(current_exclusivity).values(
                opportunity_id=opportunity_id,
                holder_partner_id=str(envelope.payload["partner_id"]),
                decision_id=str(envelope.event_id),  # the decision is the grant event itself
                valid_until=envelope.payload["valid_until"],
            )
        )


def current_exclusivities(connection: Connection) -> list[tuple[str, str, str, object]]:
    """(opportunity, holder, decision, valid until), by opportunity id."""
    rows = connection.execute(
        select(
            current_exclusivity.c.opportunity_id,
            current_exclusivity.c.holder_partner_id,
            current_exclusivity.c.decision_id,
            current_exclusivity.c.valid_until,
        ).order_by(current_exclusivity.c.opportunity_id)
    )
    return [tuple(row) for row in rows]
