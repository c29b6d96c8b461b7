"""Routes a batch of envelopes to the projections that read them, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from contracts.envelope import Envelope
from projections.partner_status import project_partner_events
from projections.program_views import HANDLERS


def project_envelopes(connection: Connection, envelopes: list[Envelope]) -> None:
    """Fold partner status in one batch, then apply each event's own view handler in order."""
    partner_events = [e for e in envelopes if e.aggregate_type == "partner"]
    if partner_events:
        project_partner_events(connection, partner_events)
    for envelope in envelopes:
        handler = HANDLERS.get(envelope.event_type)
        if handler is not None:
            handler(connection, envelope)
