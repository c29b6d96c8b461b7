"""Projection dispatch on PostgreSQL: redelivery and batch boundaries leave the same rows.

The unit tests run these on SQLite; here the version bookkeeping's inserts and updates, and
the handlers' keys, meet PostgreSQL's types and constraints. The first test takes the whole
path: a PostgreSQL event store, the relay, the real broker, the projector, PostgreSQL
projections, compared with the store's own events dispatched directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from contracts.wire.envelope import Envelope
from domain.commands import AwardSpecialization, PublishRules, RevokeCertification
from domain.ledger import Ledger
from infra.scenario.seed import SCENARIO_START, run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db
from projections.models.program_rules import rules_document_in_force
from projections.partner_statuses import partner_statuses
from projections.schema import metadata
from tests.builders.pipeline import publish_and_project
from tests.fixtures.infrastructure import ledger_env
from tests.unit.projections.test_projection_dispatch import (
    DP,
    TECHNICAL,
    certify,
    chunks,
    default_rules,
    enroll,
    envelopes_of,
    make_specialist,
    new_ledger,
    one_by_one,
    project,
    snapshot,
)

pytestmark = pytest.mark.postgres
SEED_DAYS = 420
PIPELINE_SEED_DAYS = 120  # on PostgreSQL every command is a round trip: four months suffice


def without_positions(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Projection rows without the consumer offsets, which only the Kafka path writes."""
    return {
        name: table_rows
        for name, table_rows in rows.items()
        if "group_id" not in metadata.tables[name].columns
    }


@pytest.mark.kafka
def test_through_kafka_from_a_postgres_store_projects_what_the_stored_events_say(
    kafka_bootstrap, postgres_url, tmp_path
):
    settings = Settings.from_env(ledger_env(kafka_bootstrap, tmp_path, database_url=postgres_url))
    ledger = open_ledger(settings)
    try:
        run_seed_scenario(ledger, days=PIPELINE_SEED_DAYS)
        publish_and_project(settings, ledger)
        envelopes = envelopes_of(ledger)
    finally:
        ledger.close()
    engine = open_projection_db(sqlalchemy_url(settings.projections_url))
    try:
        through_kafka = without_positions(snapshot(engine))
        # Every registration decision: exclusivity granted or denied, registered without it,
        # or held for review as a suspected conflict.
        decided = {
            "opportunity.exclusivity-granted",
            "opportunity.exclusivity-denied",
            "opportunity.registered-non-exclusive",
            "opportunity.conflict-suspected",
        }
        assert len(through_kafka["exclusivity_decision"]) == sum(
            e.event_type in decided for e in envelopes
        )
        assert through_kafka == without_positions(rebuilt(engine, envelopes))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def seeded_envelopes() -> list[Envelope]:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    run_seed_scenario(ledger, days=SEED_DAYS)
    ledger.sweep(SCENARIO_START + timedelta(days=SEED_DAYS))
    return envelopes_of(ledger)


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = open_projection_db(sqlalchemy_url(postgres_url))
    yield engine
    engine.dispose()


def rebuilt(engine: Engine, *batches: list[Envelope]) -> dict[str, list[tuple]]:
    """The rows left by projecting `batches` into emptied tables."""
    metadata.drop_all(engine)
    metadata.create_all(engine)
    project(engine, *batches)
    return snapshot(engine)


def test_redelivered_and_overlapping_batches_change_nothing(engine, seeded_envelopes):
    project(engine, *chunks(seeded_envelopes, 200))
    before = snapshot(engine)
    project(engine, seeded_envelopes)
    project(engine, *chunks(seeded_envelopes, 300, step=100))
    assert snapshot(engine) == before
    assert rebuilt(engine, *chunks(seeded_envelopes, 150, step=100)) == before


def test_one_batch_projects_what_one_event_per_batch_projects(engine, seeded_envelopes):
    assert rebuilt(engine, seeded_envelopes) == rebuilt(engine, *one_by_one(seeded_envelopes))


def test_same_day_awards_and_rule_sets(engine):
    day = date(2011, 3, 1)
    ledger = new_ledger()
    for version in ("2011.2", "2011.1"):
        ledger.publish_rules(PublishRules(default_rules(version=version, effective_from=day)))
    enroll(ledger, "acme")
    make_specialist(ledger, "acme", awarded_on=day)
    ledger.revoke_certification(RevokeCertification("acme", "Bob", TECHNICAL, DP, day, "left"))
    ledger.sweep(day)
    certify(ledger, "acme", "Dan", TECHNICAL, on=day)
    ledger.award_specialization(AwardSpecialization("acme", DP, "contract-acme-2", day))
    envelopes = envelopes_of(ledger)

    assert rebuilt(engine, envelopes) == rebuilt(engine, *one_by_one(envelopes))
    with engine.connect() as connection:
        (view,) = partner_statuses(connection, day)
        assert view.specializations == [DP.value]
        assert rules_document_in_force(connection, day)["version"] == "2011.1"
