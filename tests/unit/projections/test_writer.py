"""The batch writer's compiled inserts write what SQLAlchemy's own executemany writes."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    select,
)

from projections.writer import _insert_plan, insert_rows

metadata = MetaData()
sample = Table(
    "sample",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("on", Date, nullable=False),
    Column("amount", Numeric(18, 2), nullable=True),
    Column("note", String(20), nullable=True),
)
defaulted = Table(
    "defaulted", metadata, Column("id", Integer, primary_key=True), Column("x", Integer, default=7)
)

ROWS = [
    {"id": 1, "on": date(2011, 3, 1), "amount": Decimal("12.50"), "note": "a"},
    {"id": 2, "on": date(2011, 3, 2), "amount": None, "note": None},
]


def test_compiled_inserts_equal_sqlalchemys_executemany():
    ours, theirs = create_engine("sqlite://"), create_engine("sqlite://")
    for engine in (ours, theirs):
        metadata.create_all(engine)
    with ours.begin() as connection:
        insert_rows(connection, sample, tuple(ROWS[0]), ROWS)
    with theirs.begin() as connection:
        connection.execute(sample.insert(), ROWS)
    read = [e.connect().execute(select(sample).order_by(sample.c.id)).all() for e in (ours, theirs)]
    assert read[0] == read[1]
    assert read[0][0].on == date(2011, 3, 1)


def test_a_table_with_a_column_default_is_refused():
    with pytest.raises(TypeError, match="column default would be skipped"):
        _insert_plan(create_engine("sqlite://").dialect, defaulted, ("id",))
