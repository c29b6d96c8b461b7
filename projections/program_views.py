"""Read models of the program beyond partner status: certifications, specializations,
qualified revenue, tier history, rules, opportunities, exclusivity decisions and quotes.

One handler per event type, each writing inside the projector's transaction. Row keys are event
ids (decisions, quotes and specialization awards are identified by the event that recorded
them), so what an auditor sees here can be traced back to Kafka and the store.

Handlers run one event at a time in the order the events were recorded, and see each event
once: projections.dispatch skips what an aggregate's projected version says was applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Executable, Table, and_, update

from contracts.wire.envelope import Envelope
from projections.partner_status import certification_row
from projections.tables import (
    exclusivity_decision,
    opportunity,
    partner_certification,
    partner_specialization,
    program_rules,
    quote,
    revenue_credit,
    tier_change,
)


class BatchWriter:
    """The batch's connection, sending consecutive inserts into one table as one executemany.

    Every other statement (and the end of the batch, `flush`) first sends the inserts held
    back, so statements reach the database in the order the handlers issued them: an update
    sees exactly the rows it would have seen with one statement per event.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._table: Table | None = None
        self._columns: tuple[str, ...] = ()
        self._rows: list[dict[str, Any]] = []

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        columns = tuple(row)
        if table is not self._table or columns != self._columns:
            self.flush()
            self._table, self._columns = table, columns
        self._rows.append(row)

    def execute(self, statement: Executable) -> None:
        self.flush()
        self.connection.execute(statement)

    def flush(self) -> None:
        if self._table is not None and self._rows:
            insert_rows(self.connection, self._table, self._columns, self._rows)
        self._table, self._columns, self._rows = None, (), []


Handler = Callable[[BatchWriter, Envelope], None]


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _ids(values: list[Any]) -> str:
    return json.dumps([str(v) for v in values])


def _end_certification(writer: BatchWriter, e: Envelope, *conditions: Any, on: Any) -> None:
    p = e.payload
    writer.execute(
        update(partner_certification)
        .where(
            and_(
                partner_certification.c.partner_id == str(e.aggregate_id),
                partner_certification.c.individual == p["individual"],
                partner_certification.c.kind == p["kind"].value,
                partner_certification.c.specialization == p["specialization"].value,
                partner_certification.c.ended_on.is_(None),
                *conditions,
            )
        )
        .values(ended_on=on)
    )


def certification_earned(writer: BatchWriter, e: Envelope) -> None:
    # Inserted in event order with the handlers that end certifications: a revocation or
    # expiry only ever sees the certifications earned before it.
    writer.insert(partner_certification, certification_row(e))


def certification_expired(writer: BatchWriter, e: Envelope) -> None:
    # Only the lapsed certification: a renewal of the same person stays in force.
    expired_on = e.payload["expired_on"]
    _end_certification(writer, e, partner_certification.c.expires_on == expired_on, on=expired_on)


def certification_revoked(writer: BatchWriter, e: Envelope) -> None:
    revoked_on = e.payload["revoked_on"]
    _end_certification(
        writer,
        e,
        partner_certification.c.effective_on <= revoked_on,
        partner_certification.c.expires_on > revoked_on,
        on=revoked_on,
    )


def specialization_awarded(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        partner_specialization,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "specialization": p["specialization"].value,
            "awarded_on": p["awarded_on"],
            "contract_reference": p["contract_reference"],
            "withdrawn_on": None,
        },
    )


def specialization_withdrawn(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.execute(
        update(partner_specialization)
        .where(
            and_(
                partner_specialization.c.partner_id == str(e.aggregate_id),
                partner_specialization.c.specialization == p["specialization"].value,
                partner_specialization.c.withdrawn_on.is_(None),
            )
        )
        .values(withdrawn_on=p["withdrawn_on"])
    )


def revenue_credited(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        revenue_credit,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "opportunity_id": str(p["opportunity_id"]),
            "amount": p["amount"],
            "won_on": p["won_on"],
        },
    )


def tier_changed(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        tier_change,
        {
            "event_id": str(e.event_id),
            "partner_id": str(e.aggregate_id),
            "from_tier": p["from_tier"].value,
            "to_tier": p["to_tier"].value,
            "reviewed_on": p["reviewed_on"],
            "rules_version": p["rules_version"],
            "qualified_revenue": p["qualified_revenue"],
            "evidence_event_ids": _ids(p["evidence_event_ids"]),
            "position": e.position,
        },
    )


def rules_published(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        program_rules,
        {
            "version": p["version"],
            "effective_from": p["effective_from"],
            "document": json.dumps(p["document"], sort_keys=True),
            "event_id": str(e.event_id),
            "position": e.position,
        },
    )


def opportunity_opened(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        opportunity,
        {
            "opportunity_id": str(e.aggregate_id),
            "reference": p["reference"],
            "end_customer": p["end_customer"],
            "specialization": p["specialization"].value,
            "opened_on": p["opened_on"],
            "vendor_sales_engaged": False,
            "status": "open",
        },
    )


def _update_opportunity(writer: BatchWriter, e: Envelope, **values: Any) -> None:
    writer.execute(
        update(opportunity)
        .where(opportunity.c.opportunity_id == str(e.aggregate_id))
        .values(**values)
    )


def vendor_sales_engaged(writer: BatchWriter, e: Envelope) -> None:
    _update_opportunity(writer, e, vendor_sales_engaged=True)


def _insert_decision(writer: BatchWriter, e: Envelope, outcome: str) -> None:
    p = e.payload
    writer.insert(
        exclusivity_decision,
        {
            "decision_id": str(e.event_id),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "outcome": outcome,
            "reason_code": p["reason_code"],
            "rules_version": p["rules_version"],
            "evidence_event_ids": _ids(p["evidence_event_ids"]),
            "decided_on": p["decided_on"],
            "valid_until": p.get("valid_until"),
            "position": e.position,
        },
    )


def exclusivity_granted(writer: BatchWriter, e: Envelope) -> None:
    _insert_decision(writer, e, "granted")
    _update_opportunity(
        writer,
        e,
        protected_by=str(e.payload["partner_id"]),
        protection_decision_id=str(e.event_id),
        protection_valid_until=e.payload["valid_until"],
    )


def exclusivity_denied(writer: BatchWriter, e: Envelope) -> None:
    _insert_decision(writer, e, "denied")


def registered_non_exclusive(writer: BatchWriter, e: Envelope) -> None:
    # "preferred": pre-sales work rewarded with conditions, without exclusivity.
    _insert_decision(writer, e, "preferred")


def _end_protection(writer: BatchWriter, e: Envelope, on: Any, reason: str) -> None:
    """Close the opportunity's active protection, if any, recording why it ended."""
    writer.execute(
        update(exclusivity_decision)
        .where(
            and_(
                exclusivity_decision.c.opportunity_id == str(e.aggregate_id),
                exclusivity_decision.c.outcome == "granted",
                exclusivity_decision.c.ended_on.is_(None),
            )
        )
        .values(ended_on=on, end_reason=reason)
    )
    _update_opportunity(
        writer, e, protected_by=None, protection_decision_id=None, protection_valid_until=None
    )


def exclusivity_expired(writer: BatchWriter, e: Envelope) -> None:
    _end_protection(writer, e, e.payload["expired_on"], "expired")


def exclusivity_released(writer: BatchWriter, e: Envelope) -> None:
    _end_protection(writer, e, e.payload["released_on"], "released")


def quote_issued(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        quote,
        {
            "quote_id": str(e.event_id),
            "opportunity_id": str(e.aggregate_id),
            "partner_id": str(p["partner_id"]),
            "list_price": p["list_price"],
            "tier": p["tier"].value,
            "tier_discount": p["tier_discount"],
            "registration_uplift": p["registration_uplift"],
            "net_price": p["net_price"],
            "protection": p["protection"],
            "decision_id": _id(p["decision_id"]),
            "rules_version": p["rules_version"],
            "issued_on": p["issued_on"],
            "position": e.position,
        },
    )


def opportunity_won(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    _end_protection(writer, e, p["won_on"], "won")
    _update_opportunity(
        writer,
        e,
        status="won",
        closed_on=p["won_on"],
        won_by=str(p["partner_id"]),
        amount=p["amount"],
        qualified=p["qualified"],
    )


def opportunity_lost(writer: BatchWriter, e: Envelope) -> None:
    _end_protection(writer, e, e.payload["lost_on"], "lost")
    _update_opportunity(
        writer, e, status="lost", closed_on=e.payload["lost_on"], lost_to=e.payload["lost_to"]
    )


HANDLERS: dict[str, Handler] = {
    "partner.certification-earned": certification_earned,
    "partner.certification-expired": certification_expired,
    "partner.certification-revoked": certification_revoked,
    "partner.specialization-awarded": specialization_awarded,
    "partner.specialization-withdrawn": specialization_withdrawn,
    "partner.qualified-revenue-credited": revenue_credited,
    "partner.tier-changed": tier_changed,
    "program.rules-published": rules_published,
    "opportunity.opened": opportunity_opened,
    "opportunity.vendor-sales-engaged": vendor_sales_engaged,
    "opportunity.exclusivity-granted": exclusivity_granted,
    "opportunity.exclusivity-denied": exclusivity_denied,
    "opportunity.registered-non-exclusive": registered_non_exclusive,
    "opportunity.exclusivity-expired": exclusivity_expired,
    "opportunity.exclusivity-released": exclusivity_released,
    "opportunity.quote-issued": quote_issued,
    "opportunity.won": opportunity_won,
    "opportunity.lost": opportunity_lost,
}


@dataclass(frozen=True)
class _InsertPlan:
    """One INSERT compiled for a dialect: its SQL, the order of its parameters (for drivers
    with positional parameters) and each column's bind processor (e.g. a date as ISO text on
    SQLite), as SQLAlchemy would apply them."""

    sql: str
    order: tuple[str, ...] | None
    processors: tuple[tuple[str, Callable[[Any], Any] | None], ...]

    def parameters(self, row: dict[str, Any]) -> Any:
        processed = {
            name: value if process is None else process(value)
            for name, process in self.processors
            for value in (row[name],)
        }
        return processed if self.order is None else tuple(processed[n] for n in self.order)


_plans: dict[tuple[str, str, tuple[str, ...]], _InsertPlan] = {}


def insert_rows(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """``connection.execute(table.insert(), rows)`` for rows of the same `columns`, with the
    statement compiled once per dialect, table and columns.

    SQLAlchemy prepares every row of an executemany again (construct_params, processors by
    name): a third of a replay's SQL time. The projection tables have no Python-side column
    defaults, which is all this would skip; `_insert_plan` refuses any that gains one.
    """
    dialect = connection.dialect
    key = (dialect.name, table.name, columns)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _insert_plan(dialect, table, columns)
    connection.exec_driver_sql(plan.sql, [plan.parameters(row) for row in rows])


def _insert_plan(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> _InsertPlan:
    omitted = [c.name for c in table.columns if c.name not in columns]
    if any(table.c[name].default is not None for name in omitted):
        raise TypeError(f"{table.name}: a column default would be skipped by insert_rows")
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
    processors = tuple(
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns
    )
    return _InsertPlan(compiled.string, order, processors)
