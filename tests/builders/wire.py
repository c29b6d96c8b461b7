"""What the relay would publish for a stretch of the seed scenario, without a broker."""

from __future__ import annotations

from contracts.wire.codec import encode
from domain.ledger import Ledger
from infra.scenario.seed import run_seed_scenario


def seed_message_values(days: int = 120) -> list[bytes]:
    """The encoded value of every event `days` of the seed scenario record, in store order
    (every event type the scenario uses, as the codec writes it today)."""
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    run_seed_scenario(ledger, days=days)
    notifications = ledger.recorder.select_notifications(start=1, limit=10**6)
    return [encode(ledger.mapper.to_domain_event(n), n.id).value for n in notifications]
