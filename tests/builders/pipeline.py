"""History through the real pipeline: how many events a store holds, and everything it holds
published by the relay and projected by the projector."""

from __future__ import annotations

from domain.ledger import Ledger
from infra.bootstrap import open_projector, open_relay
from infra.settings import Settings
from infra.store.event_store import open_ledger


def stored_count(settings: Settings) -> int:
    """The store's last notification id: the events recorded so far (0 when empty)."""
    ledger = open_ledger(settings)  # kept referenced: a collected Application closes its pool
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def relay_all(settings: Settings, ledger: Ledger) -> int:
    """Relay every stored event not yet on Kafka; returns how many notifications it covered."""
    relay = open_relay(settings, ledger)
    try:
        return relay.drain()
    finally:
        relay.close()


def publish_and_project(settings: Settings, ledger: Ledger) -> None:
    """Relay every stored event to Kafka, then project until the projector has read them all."""
    stored = relay_all(settings, ledger)
    projector = open_projector(settings)
    try:
        projected = 0
        for _ in range(10):  # a drain stops at a rebalance; the next one carries on
            projected += projector.drain()
            if projected >= stored:
                break
    finally:
        projector.close()
