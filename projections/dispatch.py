"""Routes a batch of envelopes to the read models that read them, in the caller's transaction.

The read models' `HANDLERS` are assembled here into one map from event type to handler; an
event type claimed by two models fails at import, as the order of their writes would be
undefined. Partner status is folded separately, in one go per batch (models.partner_status).

Kafka delivers at least once: a batch may repeat events already projected (a redelivery after a
crash or a rebalance, a replay) or repeat events within itself. Each aggregate's last projected
version is kept in `projected_version`; an envelope at or below it is skipped before any
projection sees it, so handlers can insert on their keys and update without re-applying.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, select

from contracts.wire.envelope import Envelope
from projections.models import (
    benefits,
    certifications,
    exclusivity_decisions,
    notices,
    opportunities,
    program_rules,
    quotes,
    revenue,
    reviews,
    specializations,
    tier_history,
    tier_reviews,
    transition_plans,
)
from projections.models.partner_status import project_partner_events
from projections.schema import projected_version
from projections.writer import BatchWriter, Handler


class EventTypeClaimedTwice(Exception):
    """Two read models registered a handler for the same event type."""


def assemble_handlers(models: Iterable[tuple[str, Mapping[str, Handler]]]) -> dict[str, Handler]:
    """One map of every (model name, handlers) given; an event type claimed twice is refused."""
    assembled: dict[str, Handler] = {}
    claimed_by: dict[str, str] = {}
    for name, handlers in models:
        for event_type, handler in handlers.items():
            if event_type in claimed_by:
                raise EventTypeClaimedTwice(
                    f"{event_type} is claimed by both {claimed_by[event_type]} and {name}"
                )
            claimed_by[event_type] = name
            assembled[event_type] = handler
    return assembled


HANDLERS = assemble_handlers(
    (model.__name__, model.HANDLERS)
    for model in (
        certifications,
        specializations,
        revenue,
        tier_history,
        program_rules,
        opportunities,
        exclusivity_decisions,
        reviews,
        quotes,
        tier_reviews,
        transition_plans,
        benefits,
        notices,
    )
)


@dataclass
class KnownVersions:
    """Last projected version per aggregate id, loaded for a batch and advanced through it."""

    versions: dict[str, int]
    types: dict[str, str] = field(default_factory=dict)
    stored: set[str] = field(default_factory=set)  # ids that already have a row

    def advance(self, aggregate_id: str, envelope: Envelope) -> bool:
        """Record the envelope's version; False if it is not newer than what was projected."""
        if envelope.aggregate_version <= self.versions.get(aggregate_id, 0):
            return False
        self.versions[aggregate_id] = envelope.aggregate_version
        self.types[aggregate_id] = envelope.aggregate_type
        return True


def project_envelopes(connection: Connection, envelopes: list[Envelope]) -> None:
    """Apply the batch's new events in order: partner status folded in one go, then each
    event's own view handler, one event after another as they were recorded (consecutive
    inserts into one table go out together, see `BatchWriter`)."""
    # Each aggregate id turned into text once per event: UUID.__str__ is not free.
    events = [(str(envelope.aggregate_id), envelope) for envelope in envelopes]
    known = load_versions(connection, {aggregate_id for aggregate_id, _ in events})
    fresh = [(a, envelope) for a, envelope in events if known.advance(a, envelope)]
    if not fresh:
        return
    # The fold writes only partner_status, which no handler reads: batching it is safe.
    partner_events = [(a, e) for a, e in fresh if e.aggregate_type == "partner"]
    if partner_events:
        project_partner_events(connection, partner_events)
    writer = BatchWriter(connection)
    for _, envelope in fresh:
        handler = HANDLERS.get(envelope.event_type)
        if handler is not None:
            handler(writer, envelope)
    writer.flush()
    write_versions(connection, known)


def load_versions(connection: Connection, aggregate_ids: set[str]) -> KnownVersions:
    rows = connection.execute(
        select(projected_version.c.aggregate_id, projected_version.c.version).where(
            projected_version.c.aggregate_id.in_(aggregate_ids)
        )
    )
    versions = {row.aggregate_id: row.version for row in rows}
    return KnownVersions(versions=versions, stored=set(versions))


def write_versions(connection: Connection, known: KnownVersions) -> None:
    """Store the versions the batch advanced: insert new aggregates, update known ones."""
    changed = sorted(known.types)
    inserts = [
        {"aggregate_id": a, "aggregate_type": known.types[a], "version": known.versions[a]}
        for a in changed
        if a not in known.stored
    ]
    updates = [
        {"b_aggregate_id": a, "b_version": known.versions[a]} for a in changed if a in known.stored
    ]
    if inserts:
        connection.execute(projected_version.insert(), inserts)
    if updates:
        connection.execute(
            projected_version.update()
            .where(projected_version.c.aggregate_id == bindparam("b_aggregate_id"))
            .values(version=bindparam("b_version")),
            updates,
        )
