"""The relay encodes recorded JSON to exactly the bytes the domain event encodes to."""

import pytest

from contracts.wire.codec import encode
from domain.ledger import Ledger
from infra.relay.encoder import StoredEventEncoder
from infra.store.event_store import event_store_env
from tests.builders.scenario import certify, enrol_partners


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(env=event_store_env(f"sqlite:///{tmp_path}/events.sqlite"))
    codes = enrol_partners(ledger, 4)
    for day, code in enumerate(codes):
        certify(ledger, code, f"person {day}", day=day)
    yield ledger
    ledger.close()


def test_encoding_from_recorded_json_is_byte_identical(ledger):
    encoder = StoredEventEncoder(ledger.mapper)
    notifications = ledger.recorder.select_notifications(start=1, limit=100)
    assert len(notifications) == 8
    for notification in notifications:
        expected = encode(ledger.mapper.to_domain_event(notification), notification.id)
        assert encoder.encode(notification) == expected


def test_encrypted_stores_are_refused(tmp_path):
    env = event_store_env(f"sqlite:///{tmp_path}/events.sqlite")
    env.update(COMPRESSOR_TOPIC="eventsourcing.compressor:ZlibCompressor")
    ledger = Ledger(env=env)
    try:
        with pytest.raises(ValueError, match="encrypted or compressed"):
            StoredEventEncoder(ledger.mapper)
    finally:
        ledger.close()


def test_business_date_travels_unchanged(ledger):
    encoder = StoredEventEncoder(ledger.mapper)
    (first,) = ledger.recorder.select_notifications(start=1, limit=1)
    assert b'"effective_on":"2010-11-02"' in encoder.encode(first).value
