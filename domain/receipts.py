"""Receipts: what a caller asks to be stored with a command's events, in the same transaction.

A caller that may retry a command (an HTTP client with an ``Idempotency-Key``, a script with
``--request-id``) passes the ledger a receipt: a function of the command's result. The ledger
calls it once it has decided, just before saving, and hands what it returns to the event store
beside the events (``save(..., receipt=...)``), so the request and its answer are recorded if and
only if the events are. What a receipt holds is the store's business, not the domain's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

Receipt = Callable[[T], object]


class ReceiptsNotKept(RuntimeError):
    """A receipt was given to a ledger whose event store cannot record it with the events."""
