"""The event store's request log: a request's key, the digest of its body and the answer it got,
recorded in the transaction that records the command's events (see ``domain.receipts``).

Both recorders (``sqlite_recorder``, ``postgres_recorder``; ``event_store_env`` names them) are
eventsourcing's own application recorders with one table beside the events (the events table's name
with ``_events`` replaced by ``_requests``), written from inside their insert transaction. The key
is the table's primary key, so of two transactions carrying the same key exactly one commits: on
PostgreSQL the second waits for the first's row and then fails, on SQLite writers are serialised
anyway. The loser's events are rolled back with its row and it raises ``RequestAlreadyRecorded``,
which the ledger's conflict retry does not catch. Rows whose retention has passed are deleted by
the next write that carries a receipt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the log keeps it; times are Unix seconds, read by the caller's clock."""

    key: str
    body_digest: str
    answer: str  # the JSON text the first caller was given
    recorded_at: float
    expires_at: float


class RequestAlreadyRecorded(Exception):
    """Another transaction recorded this key first; this one recorded nothing."""

    def __init__(self, key: str) -> None:
        super().__init__(f"request {key!r} was recorded by another transaction")
        self.key = key


def requests_table(events_table: str) -> str:
    return events_table.removesuffix("_events") + "_requests"


class KeepsReceipts:
    """What both recorders add: the receipt written with the events, and reading it back."""

    keeps_receipts = True

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        try:
            return super().insert_events(stored_events, **kwargs)  # type: ignore[misc]
        except IntegrityError:
            receipt: RecordedRequest | None = kwargs.get("receipt")
            # A key now present was committed by another transaction: ours lost to it (a
            # version conflict on the events can hide the key's, so look rather than parse).
            if receipt is not None and self.select_request(receipt.key) is not None:
                raise RequestAlreadyRecorded(receipt.key) from None
            raise

    def select_request(self, key: str) -> RecordedRequest | None:
        raise NotImplementedError


def request_row(receipt: RecordedRequest) -> tuple[str, str, str, float, float]:
    return (
        receipt.key,
        receipt.body_digest,
        receipt.answer,
        receipt.recorded_at,
        receipt.expires_at,
    )


def recorded_request(row: Any) -> RecordedRequest:
    return RecordedRequest(
        row["request_key"],
        row["body_digest"],
        row["answer"],
        float(row["recorded_at"]),
        float(row["expires_at"]),
    )
