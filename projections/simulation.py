"""What-if: the recorded history under a proposed rule set, set beside the history as recorded.

Both sides are built the same way, into scratch databases: the events are encoded as the relay
publishes them and folded by the projector's own code (projections.dispatch). The recorded side
reads the store; the simulated side replays the store's commands into an in-memory ledger
under the proposal (domain.history_replay). Nothing is written to the store or to Kafka.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from contracts.wire.codec import decode, encode
from domain.history_replay import replay_history
from domain.ledger import Ledger
from domain.rules import ProgramRules
from projections.database import open_projection_db
from projections.dispatch import project_envelopes
from projections.models.exclusivity_decisions import exclusivity_decision
from projections.models.partner_status import partner_status
from projections.models.quotes import quote
from projections.models.revenue import revenue_credit

PAGE = 1000
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PartnerOutcome:
    tier: str
    grants: int
    qualified_revenue: Decimal
    margin: Decimal  # the sum of uplifts given away on its quotes, in currency


@dataclass(frozen=True)
class PartnerDiff:
    partner: str
    today: PartnerOutcome
    simulated: PartnerOutcome


@dataclass(frozen=True)
class Simulation:
    rules_version: str
    proposed_from: date
    diff: list[PartnerDiff]
    totals_today: PartnerTotals
    totals_simulated: PartnerTotals
    refused: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnerTotals:
    tiers: dict[str, int]
    grants: int
    qualified_revenue: Decimal
    margin: Decimal


def simulate(store: Ledger, proposed: ProgramRules, proposed_from: date) -> Simulation:
    """The per-partner difference between the recorded history and the same commands under
    `proposed` from `proposed_from` on; empty when the proposal changes nothing."""
    recorded = list(_domain_events(store))
    # A scratch, in-memory ledger: the simulation must never touch a real store.
    scratch = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    report = replay_history(recorded, scratch, proposed, proposed_from)
    today = outcomes_of(store)
    simulated = outcomes_of(scratch)
    diff = [
        PartnerDiff(code, today[code], simulated[code])
        for code in sorted(today)
        if code in simulated and today[code] != simulated[code]
    ]
    return Simulation(
        proposed.version,
        proposed_from,
        diff,
        _totals(today),
        _totals(simulated),
        dict(report.refused),
    )


def _domain_events(ledger: Ledger) -> Iterator[Any]:
    for notification in _notifications(ledger):
        yield ledger.mapper.to_domain_event(notification)


def _notifications(ledger: Ledger) -> Iterator[Any]:
    start = 1
    while page := ledger.recorder.select_notifications(start=start, limit=PAGE):
        yield from page
        start = page[-1].id + 1


def outcomes_of(ledger: Ledger) -> dict[str, PartnerOutcome]:
    """Every partner's outcome in the ledger's history, projected into a scratch database."""
    engine = open_projection_db("sqlite://")
    try:
        _project(ledger, engine)
        with engine.connect() as connection:
            return partner_outcomes(connection)
    finally:
        engine.dispose()


def _project(ledger: Ledger, engine: Engine) -> None:
    batch = []
    for notification in _notifications(ledger):
        event = ledger.mapper.to_domain_event(notification)
        batch.append(decode(encode(event, notification.id).value))
        if len(batch) == PAGE:
            _write(engine, batch)
            batch = []
    _write(engine, batch)


def _write(engine: Engine, batch: list[Any]) -> None:
    if batch:
        with engine.begin() as connection:
            project_envelopes(connection, batch)


def partner_outcomes(connection: Connection) -> dict[str, PartnerOutcome]:
    """Each partner's tier, exclusivity grants, qualified revenue and margin given away."""
    grants = _sum_by(
        connection,
        exclusivity_decision.c.partner_id,
        case((exclusivity_decision.c.outcome == "granted", 1), else_=0),
    )
    revenue = _sum_by(connection, revenue_credit.c.partner_id, revenue_credit.c.amount)
    margin = _sum_by(
        connection, quote.c.partner_id, quote.c.list_price * quote.c.registration_uplift
    )
    rows = connection.execute(
        select(partner_status.c.partner_id, partner_status.c.code, partner_status.c.tier)
    )
    return {
        row.code: PartnerOutcome(
            row.tier,
            int(grants.get(row.partner_id, 0)),
            Decimal(revenue.get(row.partner_id, 0)).quantize(Decimal("0.01")),
            (Decimal(margin.get(row.partner_id, 0)) / HUNDRED).quantize(Decimal("0.01")),
        )
        for row in rows
    }


def _sum_by(connection: Connection, key: Any, value: Any) -> dict[str, Any]:
    rows = connection.execute(select(key, func.sum(value)).group_by(key))
    return {str(k): v for k, v in rows}


def _totals(outcomes: dict[str, PartnerOutcome]) -> PartnerTotals:
    tiers: dict[str, int] = {}
    for outcome in outcomes.values():
        tiers[outcome.tier] = tiers.get(outcome.tier, 0) + 1
    return PartnerTotals(
        tiers,
        sum(o.grants for o in outcomes.values()),
        sum((o.qualified_revenue for o in outcomes.values()), Decimal(0)),
        sum((o.margin for o in outcomes.values()), Decimal(0)),
    )
