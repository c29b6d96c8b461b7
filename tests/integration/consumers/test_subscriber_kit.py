"""The subscriber kit, through its CPQ example, against the real broker and a real ledger."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
)

from consumers.examples import cpq_subscriber
from consumers.examples.cpq_exclusivities import (
    ENDING,
    GRANTED,
    applied_event,
    current_exclusivities,
)
from consumers.subscriber import Subscriber, SubscriberError, open_subscriber
from consumers.subscriber_database import open_subscriber_db
from contracts.wire.catalog import topic_name
from contracts.wire.envelope import Envelope
from domain.ledger import Ledger
from infra.bootstrap import open_projector, open_relay
from infra.scenario.seed import SCENARIO_START, run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from projections.models.opportunities import opportunity
from tests.fixtures.infrastructure import ledger_env
from tests.fixtures.topic_reader import read_all

pytestmark = pytest.mark.kafka
DAYS = 120


@dataclass
class RunningLedger:
    settings: Settings
    ledger: Ledger
    tmp: Path

    @property
    def topic(self) -> str:
        return topic_name(self.settings.topic_prefix, "opportunity")

    def relay(self) -> None:
        relay = open_relay(self.settings, self.ledger)
        relay.drain()
        relay.close()

    def projected_exclusivities(self) -> list[tuple[str, str, str, object]]:
        """What the ledger's own projection says is protected, read after projecting it all."""
        projector = open_projector(self.settings)
        projector.drain()
        with projector.engine.connect() as connection:
            rows = connection.execute(
                select(
                    opportunity.c.opportunity_id,
                    opportunity.c.protected_by,
                    opportunity.c.protection_decision_id,
                    opportunity.c.protection_valid_until,
                )
                .where(opportunity.c.protected_by.is_not(None))
                .order_by(opportunity.c.opportunity_id)
            )
            projected = [tuple(row) for row in rows]
        projector.close()
        return projected

    def exclusivity_event_ids(self) -> list[str]:
        return [
            m.envelope["event_id"]
            for m in read_all(self.settings.kafka_bootstrap_servers, self.topic)
            if m.envelope["event_type"] in {GRANTED, *ENDING}
        ]


@pytest.fixture
def running(kafka_bootstrap: str, tmp_path: Path) -> Iterator[RunningLedger]:
    settings = Settings.from_env(ledger_env(kafka_bootstrap, tmp_path))
    ledger = open_ledger(settings)
    run_seed_scenario(ledger, seed=11, days=DAYS)
    ledger.sweep(SCENARIO_START + timedelta(days=DAYS))
    running = RunningLedger(settings, ledger, tmp_path)
    running.relay()
    yield running
    ledger.close()


def cpq_args(running: RunningLedger, db: str) -> list[str]:
    return [
        "--bootstrap",
        running.settings.kafka_bootstrap_servers,
        "--db",
        db,
        "--topic-prefix",
        running.settings.topic_prefix,
        "--group",
        f"cpq-{running.settings.topic_prefix}",
        "--once",
    ]


def table(db: str) -> list[tuple[str, str, str, object]]:
    engine = open_subscriber_db(db)
    with engine.connect() as connection:
        rows = current_exclusivities(connection)
    engine.dispose()
    return rows


def applied_ids(db: str) -> list[str]:
    engine = open_subscriber_db(db)
    with engine.connect() as connection:
        ids = list(connection.execute(select(applied_event.c.event_id)).scalars())
    engine.dispose()
    return ids


def handle_some(subscriber: Subscriber, at_least: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while subscriber.handled < at_least:
        assert time.monotonic() < deadline, f"handled {subscriber.handled} of {at_least}"
        subscriber.poll_once(timeout_ms=200)


def test_the_cpq_example_run_as_a_program_keeps_what_the_ledger_projects(running):
    db = f"sqlite:///{running.tmp / 'cpq.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "consumers.examples.cpq_subscriber", *cpq_args(running, db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = running.projected_exclusivities()
    assert expected, "the scenario should leave some opportunities protected"
    assert table(db) == expected
    assert f"{len(expected)} opportunities under exclusivity" in result.stdout
    assert sorted(applied_ids(db)) == sorted(running.exclusivity_event_ids())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def subscriber_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The subscriber's own database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'cpq.db'}"


def test_a_subscriber_closed_midway_and_reopened_applies_each_event_once(running, subscriber_db):
    db = subscriber_db
    group = f"cpq-{running.settings.topic_prefix}"
    first = cpq_subscriber.open_cpq_subscriber(
        running.settings.kafka_bootstrap_servers,
        db,
        running.settings.topic_prefix,
        group,
        max_poll_records=10,
    )
    handle_some(first, at_least=1)
    handled_first = first.handled
    first.close()
    total = len(read_all(running.settings.kafka_bootstrap_servers, running.topic))
    assert handled_first < total, "the first run should stop part-way"
    # More history arrives while the subscriber is away: some protections lapse.
    before = len(running.exclusivity_event_ids())
    running.ledger.sweep(SCENARIO_START + timedelta(days=DAYS + 30))
    running.relay()
    assert len(running.exclusivity_event_ids()) > before
    assert cpq_subscriber.main(cpq_args(running, db)) == 0

    ids = applied_ids(db)
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(running.exclusivity_event_ids())
    expected = running.projected_exclusivities()
    assert expected, "some protections should still be in force"
    assert table(db) == expected


seen_event = Table("seen_event", MetaData(), Column("event_id", String(36), primary_key=True))


def test_a_failing_handler_rolls_back_its_batch_and_nothing_is_skipped(running):
    db = f"sqlite:///{running.tmp / 'seen.db'}"
    engine = create_engine(db)
    seen_event.create(engine)
    engine.dispose()
    calls: list[str] = []

    def record_failing_once(envelope: Envelope, connection: Connection) -> None:
        calls.append(str(envelope.event_id))
        connection.execute(insert(seen_event).values(event_id=str(envelope.event_id)))
        if len(calls) == 5:
            raise RuntimeError("downstream system unavailable")

    subscriber = open_subscriber(
        running.settings.kafka_bootstrap_servers,
        db,
        f"audit-{running.settings.topic_prefix}",
        [running.topic],
        record_failing_once,
        max_poll_records=20,
    )
    with pytest.raises(SubscriberError, match="downstream system unavailable"):
        handle_some(subscriber, at_least=10**9)
    # The same instance carries on: the failed batch is read again, not skipped.
    subscriber.drain()
    subscriber.close()

    engine = create_engine(db)
    with engine.connect() as connection:
        stored = sorted(connection.execute(select(seen_event.c.event_id)).scalars())
    engine.dispose()
    on_topic = read_all(running.settings.kafka_bootstrap_servers, running.topic)
    assert stored == sorted(m.envelope["event_id"] for m in on_topic)
    assert calls.count(calls[4]) == 2  # the failing event was rolled back and handled again


def test_a_poison_message_is_dead_lettered_and_the_subscriber_carries_on(running):
    db = f"sqlite:///{running.tmp / 'cpq.db'}"
    producer = KafkaProducer(bootstrap_servers=running.settings.kafka_bootstrap_servers)
    producer.send(running.topic, key=b"poison", value=b"\x00 not an envelope", partition=0)
    producer.flush()
    producer.close()
    running.ledger.sweep(SCENARIO_START + timedelta(days=DAYS + 30))  # valid events after it
    running.relay()

    assert cpq_subscriber.main(cpq_args(running, db)) == 0

    group = f"cpq-{running.settings.topic_prefix}"
    (letter,) = read_all(running.settings.kafka_bootstrap_servers, f"{group}.dead-letter")
    assert letter.value == b"\x00 not an envelope"
    assert letter.key == b"poison"
    assert letter.headers["origin-topic"] == running.topic.encode()
    assert letter.headers["origin-partition"] == b"0"
    assert b"undecodable message" in letter.headers["reason"]
    engine = create_engine(db)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(applied_event)).scalar()
    engine.dispose()
    assert table(db) == running.projected_exclusivities()
