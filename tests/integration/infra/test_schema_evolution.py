"""`opportunity.lost` gained `lost_to` in version 2; version 1 history still projects.

Two kinds of old history exist in a deployment that upgrades: losses recorded in the event store
by the old code (the relay publishes them as they were recorded: version 1), and version 1
messages already on the topic. Both must project, with `lost_to` unknown.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import orjson
import pytest
from sqlalchemy import select

from contracts.wire.catalog import contract_for_type
from contracts.wire.codec import encode_envelope
from domain.commands import EngageVendorSales, RecordLoss
from domain.program import Specialization
from infra.audit.verify import verify
from infra.bootstrap import open_projector, open_relay
from infra.kafka.clients import new_producer
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db
from projections.models.opportunities import opportunity
from tests.fixtures.topic_reader import read_all

pytestmark = pytest.mark.kafka

ON = date(2011, 3, 1)


def open_deal(ledger, reference: str) -> None:
    ledger.engage_vendor_sales(
        EngageVendorSales(reference, "Acme", Specialization.DATA_PROTECTION, ON, "kick-off")
    )


def record_loss_as_version_1(ledger, reference: str) -> None:
    """Store a loss exactly as the code before version 2 did: no `lost_to`, no class_version."""
    deal = ledger.get_opportunity(reference)
    deal.record_loss(ON, "budget cut")
    (event,) = deal.collect_events()
    stored = ledger.mapper.to_stored_event(event)
    state = orjson.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["lost_to"]
    ledger.recorder.insert_events([dataclasses.replace(stored, state=orjson.dumps(state))])


def relay(settings, ledger) -> None:
    running = open_relay(settings, ledger)
    running.drain()
    running.close()


def projected_opportunities(settings) -> dict[str, tuple[str, str | None]]:
    projector = open_projector(settings)
    projector.drain()
    projector.close()
    engine = open_projection_db(sqlalchemy_url(settings.projections_url))
    with engine.connect() as connection:
        rows = connection.execute(
            select(opportunity.c.reference, opportunity.c.status, opportunity.c.lost_to)
        ).all()
    engine.dispose()
    return {row.reference: (row.status, row.lost_to) for row in rows}


def test_old_and_new_losses_are_published_as_recorded_and_project(settings):
    ledger = open_ledger(settings)
    for reference in ("OPP-OLD", "OPP-NEW"):
        open_deal(ledger, reference)
    record_loss_as_version_1(ledger, "OPP-OLD")
    ledger.record_loss(RecordLoss("OPP-NEW", ON, "price", lost_to="Rival Corp"))

    # The aggregate still loads: eventsourcing upcasts the stored version 1 event.
    assert ledger.get_opportunity("OPP-OLD").outcome is not None

    relay(settings, ledger)
    assert projected_opportunities(settings) == {
        "OPP-OLD": ("lost", None),
        "OPP-NEW": ("lost", "Rival Corp"),
    }
    losses = {
        m.envelope["payload"]["reason"]: (m.headers["schema-version"], m.envelope)
        for m in read_all(settings.kafka_bootstrap_servers, f"{settings.topic_prefix}.opportunity")
        if m.envelope["event_type"] == "opportunity.lost"
    }
    version, old = losses["budget cut"]
    assert (version, old["schema_version"], "lost_to" in old["payload"]) == (b"1", 1, False)
    version, new = losses["price"]
    assert (version, new["schema_version"], new["payload"]["lost_to"]) == (b"2", 2, "Rival Corp")
    assert verify(settings).ok


def test_a_version_1_message_already_on_the_topic_projects(settings):
    """A loss the relay before version 2 published, already on the topic at upgrade time."""
    ledger = open_ledger(settings)
    open_deal(ledger, "OPP-1")  # opened, its customer identified, vendor sales engaged
    running = open_relay(settings, ledger)
    running.drain()
    deal = ledger.get_opportunity("OPP-1")
    old = encode_envelope(
        contract_for_type("opportunity.lost", 1),
        aggregate_id=deal.id,
        version=deal.version + 1,
        position=running.position + 1,
        effective_on=ON.isoformat(),
        recorded_at="2011-03-01T09:00:00+00:00",
        payload={"lost_on": ON.isoformat(), "reason": "no budget"},
        link=running.head,
    )
    topic = running.topics["opportunity"]
    producer = new_producer(settings.kafka_bootstrap_servers)
    producer.send(
        topic,
        key=old.key,
        value=old.value,
        headers=old.headers,
        partition=running.partition_for(topic, old.key),
    )
    producer.flush()
    producer.close()
    running.close()
    assert (b"schema-version", b"1") in [(k.encode(), v) for k, v in old.headers]
    assert projected_opportunities(settings) == {"OPP-1": ("lost", None)}
