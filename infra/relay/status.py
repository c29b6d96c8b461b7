"""How far the relay has published the event store: read from the store and its checkpoint.

Counting every stored event would scan the whole table on each scrape. It is not needed: the
relay publishes every notification in order and its checkpoint counts the events it chained
(`chain_count`) up to `position`, so the store holds exactly those plus the notifications after
`position`, which an index range scan counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, column, func, inspect, select, table

from contracts.wire.chain import GENESIS
from domain.ledger import Ledger
from infra.relay.checkpoint import RelayCheckpoint, relay_checkpoint

# The notification id's column in eventsourcing's events table, by backend.
NOTIFICATION_ID_COLUMN = {"sqlite": "rowid", "postgresql": "notification_id"}


@dataclass(frozen=True)
class Publication:
    published: int  # events Kafka has acknowledged (the relay's checkpoint)
    unpublished: int  # events stored after the checkpoint
    store_position: int  # the store's highest notification id
    published_position: int  # the checkpoint's notification id

    @property
    def stored(self) -> int:
        return self.published + self.unpublished


def read_publication(ledger: Ledger, store: Engine) -> Publication:
    """The relay's progress through `ledger`'s store (`store`: the same database)."""
    # Checked first: RelayCheckpoint would create the table, and a reader writes nothing.
    has_checkpoint = inspect(store).has_table(relay_checkpoint.name)
    head = RelayCheckpoint(store).load() if has_checkpoint else GENESIS
    events = table(
        ledger.recorder.events_table_name,  # type: ignore[attr-defined]
        column(NOTIFICATION_ID_COLUMN[store.dialect.name]),
    )
    notification_id = next(iter(events.columns))
    with store.connect() as connection:
        unpublished = connection.execute(
            select(func.count()).select_from(events).where(notification_id > head.position)
        ).scalar_one()
    return Publication(
        published=head.count,
        unpublished=int(unpublished),
        store_position=ledger.recorder.max_notification_id() or 0,
        published_position=head.position,
    )
