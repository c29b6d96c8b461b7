"""`ledger audit verify --against-store`: the event store and Kafka hold the same events.

Every stored event is re-encoded as the relay encodes it and compared byte for byte with its
message on Kafka. The chain link is taken from the Kafka message itself (its previous position
and hash), so an edit of one stored event after publication shows at that event alone instead
of at every event after it. Events stored after the last one on Kafka are the relay's work
still to do, not a difference.
"""

from __future__ import annotations

import orjson

from contracts.wire.chain import ChainHead
from contracts.wire.chain_verify import Problem, PublishedRecord, ledger_order
from contracts.wire.codec import event_id_text
from infra.audit.verify import read_ledger
from infra.relay.encoder import StoredEventEncoder
from infra.settings import Settings
from infra.store.event_store import open_ledger

PAGE = 2000


def compare_with_store(settings: Settings) -> list[Problem]:
    published = {_position(r): r for r in ledger_order(read_ledger(settings).events)}
    last_published = max(published, default=0)
    ledger = open_ledger(settings)
    try:
        encoder = StoredEventEncoder(ledger.mapper)
        problems: list[Problem] = []
        start = 1
        while start <= last_published:
            page = ledger.recorder.select_notifications(start=start, limit=PAGE)
            if not page:
                break
            for notification in page:
                if notification.id > last_published:
                    break
                record = published.pop(notification.id, None)
                event_id = event_id_text(
                    str(notification.originator_id), notification.originator_version
                )
                if record is None:
                    problems.append(
                        Problem(
                            "unpublished",
                            notification.id,
                            "(event store)",
                            f"event {event_id} is stored but not on Kafka, though later ones are",
                        )
                    )
                    continue
                value = encoder.encode(notification, _link_of(record)).value
                if value != record.value:
                    problems.append(
                        Problem(
                            "edited-in-store",
                            notification.id,
                            record.where,
                            f"stored event {event_id} no longer encodes to its message on Kafka: "
                            "the store was edited after publication",
                        )
                    )
            start = page[-1].id + 1
        problems += [
            Problem(
                "not-in-store",
                position,
                record.where,
                "on Kafka but not in the event store (deleted from the store, or injected)",
            )
            for position, record in sorted(published.items())
        ]
        return problems
    finally:
        ledger.close()


def _position(record: PublishedRecord) -> int:
    position: int = orjson.loads(record.value)["position"]
    return position


def _link_of(record: PublishedRecord) -> ChainHead:
    envelope = orjson.loads(record.value)
    return ChainHead(envelope["previous_position"], 0, envelope["previous_hash"])
