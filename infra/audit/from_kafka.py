"""`ledger audit explain --from-kafka`: the history a decision is re-derived from, read from the
topics alone (no event store).

Every event on the ledger's topics is decoded as a subscriber decodes it (validated, upcast),
rebuilt as the domain event it was (its class from the catalog, its attributes from the
payload, its aggregate id, version and recorded time from the envelope) and recorded, in the
ledger's global order, into an in-memory event store. `explain` then runs on that store exactly
as it runs on the real one; an auditor who trusts the topics (`verify`) need not trust the
database.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

from eventsourcing.utils import get_topic

from contracts.wire.catalog import contract_for_type
from contracts.wire.chain_verify import ledger_order
from contracts.wire.codec import decode
from contracts.wire.envelope import Envelope
from domain.ledger import Ledger
from infra.audit.verify import read_ledger
from infra.settings import Settings

BATCH = 1000


def ledger_from_kafka(
    settings: Settings, on_progress: Callable[[int], None] | None = None
) -> Ledger:
    records = ledger_order(read_ledger(settings, on_progress).events)
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for start in range(0, len(records), BATCH):
        events = [domain_event(decode(r.value)) for r in records[start : start + BATCH]]
        ledger.recorder.insert_events([ledger.mapper.to_stored_event(e) for e in events])
    return ledger


def domain_event(envelope: Envelope) -> Any:
    """The domain event an envelope carries, as the aggregate recorded it."""
    cls = contract_for_type(envelope.event_type, envelope.schema_version).domain_class
    attributes = dict(envelope.payload)
    if "originator_topic" in inspect.signature(cls).parameters:
        # A creation event names its aggregate's class: the class it is nested in.
        aggregate = getattr(sys.modules[cls.__module__], cls.__qualname__.split(".")[0])
        attributes["originator_topic"] = get_topic(aggregate)
    return cls(
        originator_id=envelope.aggregate_id,
        originator_version=envelope.aggregate_version,
        timestamp=envelope.recorded_at,
        **attributes,
    )
