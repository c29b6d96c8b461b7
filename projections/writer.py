"""What handlers write through: the batch's connection, with consecutive inserts into one table
sent as one executemany of a statement compiled once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Executable, Table

from contracts.wire.envelope import Envelope


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


# What a read model registers for an event type: it writes the event's rows through the writer.
Handler = Callable[[BatchWriter, Envelope], None]


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
