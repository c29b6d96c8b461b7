"""Queries `--as-of DATE`: the projections rebuilt from the event store as history stood then.

Every stored event whose business date (the envelope's `effective_on`) is on or before DATE is
folded, in the store's global order, into a fresh in-memory SQLite projection database, and
the ordinary query functions then run on it. This is faithful to what the live projections
would answer for DATE because nothing but the date filter differs from the live path:

- the envelopes are the ones the projector receives: each stored notification is encoded as
  the relay encodes it (`StoredEventEncoder`, chained the same way) and decoded as the
  projector decodes it (`contracts.wire.codec.decode`: validation and upcasting);
- they are applied by the projector's own code (`projections.dispatch.project_envelopes`),
  in notification order, which keeps each aggregate's order as Kafka's partitions do;
- positions and event ids are the store's, so rows carry the ids the live tables carry.

What it answers is what the ledger knows today about DATE: a fact recorded later but dated
on or before DATE (a certification entered late) counts, a fact dated after it (an
expiry, a tier change, a decision) does not. Business dates are what every rule is judged
by, so this is the question an auditor asks. It reads and re-projects the whole store each
time: a tool for audits and occasional questions, not for a portal's every page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import Connection, Engine

from contracts.wire.chain import GENESIS, ChainHead
from contracts.wire.codec import decode
from contracts.wire.envelope import Envelope
from domain.ledger import Ledger
from infra.relay.encoder import StoredEventEncoder
from infra.settings import Settings
from infra.store.event_store import open_ledger
from projections.database import open_projection_db
from projections.dispatch import project_envelopes

PAGE = 1000
IN_MEMORY = "sqlite://"


class HistoryAsOf:
    """A connection to the projections of the history up to `as_of` (see the module's doc).

    `holds(aggregate_id)` says whether the store holds the aggregate at all, on any date,
    so a caller can tell "not yet, on that date" from "never".
    """

    def __init__(self, settings: Settings, as_of: date) -> None:
        self.settings = settings
        self.as_of = as_of
        self.recorded: set[UUID] = set()
        self.engine: Engine | None = None
        self.connection: Connection | None = None

    def __enter__(self) -> Connection:
        self.engine = open_projection_db(IN_MEMORY, writer=True)
        try:
            self._project(self.engine)
        except BaseException:
            self.engine.dispose()
            raise
        # The in-memory database lives in the pool's one connection (SQLAlchemy keeps a
        # single connection per thread for it), so this one sees what was just written.
        self.connection = self.engine.connect()
        return self.connection

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.engine is not None:
            self.engine.dispose()

    def _project(self, engine: Engine) -> None:
        ledger = open_ledger(self.settings)
        try:
            # One transaction: the in-memory database has no other reader to wait for it.
            with engine.begin() as connection:
                for batch in self._batches(ledger):
                    project_envelopes(connection, batch)
        finally:
            ledger.close()

    def holds(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.recorded

    def _batches(self, ledger: Ledger) -> Iterator[list[Envelope]]:
        batch: list[Envelope] = []
        for envelope in published_envelopes(ledger):
            self.recorded.add(envelope.aggregate_id)
            if envelope.effective_on <= self.as_of:
                batch.append(envelope)
            if len(batch) >= PAGE:
                yield batch
                batch = []
        if batch:
            yield batch


def published_envelopes(ledger: Ledger) -> Iterator[Envelope]:
    """Every stored event as the projector receives it from Kafka, in the store's order."""
    encoder = StoredEventEncoder(ledger.mapper)
    head = GENESIS
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start=start, limit=PAGE)
        if not page:
            return
        for notification in page:
            envelope, head = envelope_after(encoder, notification, head)
            yield envelope
        start = page[-1].id + 1


def envelope_after(
    encoder: StoredEventEncoder, notification: Notification, head: ChainHead
) -> tuple[Envelope, ChainHead]:
    """The envelope the relay publishes for `notification` after chain `head`, and the head
    after it. The one call to adapt if the encoder's chain arguments change."""
    message = encoder.encode(notification, head)
    return decode(message.value), head.after(notification.id, message.value)
