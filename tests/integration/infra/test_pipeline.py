"""Command -> event store -> relay -> Kafka -> projector -> query, on SQLite and PostgreSQL."""

from datetime import date

import pytest

from contracts.wire.chain import GENESIS
from infra.bootstrap import open_projector, open_relay
from infra.relay.checkpoint import RelayCheckpoint
from infra.store.event_store import open_ledger
from projections.partner_statuses import partner_statuses
from tests.builders.scenario import certify, enrol_partners, stored_positions
from tests.fixtures.topic_reader import read_all

pytestmark = pytest.mark.kafka
AS_OF = date(2011, 6, 1)


def relay_all(settings, ledger) -> int:
    relay = open_relay(settings, ledger)
    try:
        return relay.drain()
    finally:
        relay.close()


def project_all(settings) -> int:
    projector = open_projector(settings)
    try:
        return projector.drain()
    finally:
        projector.close()


def published_positions(settings) -> list[int]:
    topic = f"{settings.topic_prefix}.partner"
    return sorted(m.envelope["position"] for m in read_all(settings.kafka_bootstrap_servers, topic))


def statuses(settings):
    projector = open_projector(settings)
    try:
        with projector.engine.connect() as connection:
            return {v.code: v for v in partner_statuses(connection, AS_OF)}
    finally:
        projector.close()


def test_partner_status_is_projected_from_kafka(settings):
    ledger = open_ledger(settings)
    codes = enrol_partners(ledger, 4)
    certify(ledger, codes[0], "Ann")
    certify(ledger, codes[0], "Bob", day=10)
    certify(ledger, codes[2], "Cid")

    assert relay_all(settings, ledger) == 7
    assert project_all(settings) == 7

    projected = statuses(settings)
    assert sorted(projected) == codes
    for code in codes:
        partner = ledger.get_partner(code)
        view = projected[code]
        assert (view.name, view.tier, view.version) == (
            partner.name,
            partner.tier.value,
            partner.version,
        )
        assert view.active_technical_certifications == len(partner.active_certifications(AS_OF))


def test_relay_resumes_after_restart_publishing_only_new_events(settings):
    ledger = open_ledger(settings)
    codes = enrol_partners(ledger, 3)
    assert relay_all(settings, ledger) == 3
    certify(ledger, codes[1], "Ann")
    enrol_partners(ledger, 2, first=3)

    assert relay_all(settings, ledger) == 3
    assert published_positions(settings) == stored_positions(ledger)


def test_relay_that_lost_its_checkpoint_does_not_publish_twice(settings):
    ledger = open_ledger(settings)
    codes = enrol_partners(ledger, 5)
    for code in codes:
        certify(ledger, code, "Ann")
    relay_all(settings, ledger)
    # As if the relay crashed after Kafka acknowledged but before the checkpoint was written.
    relay = open_relay(settings, ledger)
    relay.checkpoint.save(GENESIS)
    relay.close()

    relay_all(settings, ledger)
    assert published_positions(settings) == stored_positions(ledger)


def test_projector_resumes_from_positions_stored_with_its_rows(settings):
    ledger = open_ledger(settings)
    codes = enrol_partners(ledger, 3)
    relay_all(settings, ledger)
    assert project_all(settings) == 3

    certify(ledger, codes[0], "Ann")
    certify(ledger, codes[0], "Bob")
    relay_all(settings, ledger)

    assert project_all(settings) == 2
    assert statuses(settings)[codes[0]].active_technical_certifications == 2


def test_relay_checkpoint_is_kept_beside_the_event_store(settings):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 2)
    relay = open_relay(settings, ledger)
    try:
        relay.drain()
        assert isinstance(relay.checkpoint, RelayCheckpoint)
        assert relay.checkpoint.load().position == max(stored_positions(ledger))
    finally:
        relay.close()
