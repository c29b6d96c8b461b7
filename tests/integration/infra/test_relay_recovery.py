"""The relay resumes from what Kafka holds, and refuses what it must not paper over."""

import dataclasses

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import MessageSizeTooLargeError

from contracts.wire.chain import GENESIS
from infra.bootstrap import open_relay
from infra.kafka.clients import producer_settings
from infra.kafka.topics import prepare_topics
from infra.relay.encoder import StoredEventEncoder
from infra.relay.lock import RelayAlreadyRunning
from infra.relay.relay import RelayStateMismatch
from infra.store.event_store import open_ledger
from tests.builders.scenario import certify, enrol_partners, stored_positions
from tests.fixtures.topic_reader import read_all

pytestmark = pytest.mark.kafka


def published_positions(settings) -> list[int]:
    topic = f"{settings.topic_prefix}.partner"
    return sorted(m.envelope["position"] for m in read_all(settings.kafka_bootstrap_servers, topic))


def publish_directly(settings, ledger, keep) -> None:
    """Write chosen stored events to Kafka as the relay would, bypassing it."""
    relay = open_relay(settings, ledger)  # creates the topics and knows the partitioning
    encoder = StoredEventEncoder(ledger.mapper)
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **producer_settings()
    )
    head = GENESIS
    for notification in ledger.recorder.select_notifications(start=1, limit=1000):
        message = encoder.encode(notification, head)
        head = head.after(notification.id, message.value)
        if keep(notification.id):
            topic = relay.topics[message.aggregate_type]
            producer.send(
                topic,
                key=message.key,
                value=message.value,
                headers=message.headers,
                partition=relay.partition_for(topic, message.key),
            )
    producer.flush()
    producer.close()
    relay.close()


def drain(settings, ledger) -> int:
    relay = open_relay(settings, ledger)
    try:
        return relay.drain()
    finally:
        relay.close()


def test_resumes_publishing_only_what_kafka_lacks_after_the_checkpoint(settings):
    ledger = open_ledger(settings)
    for code in enrol_partners(ledger, 4):
        certify(ledger, code, "Ann")
    # As if a batch reached Kafka up to position 5 and the relay died before checkpointing.
    publish_directly(settings, ledger, keep=lambda position: position <= 5)
    drain(settings, ledger)
    assert published_positions(settings) == stored_positions(ledger)


def test_refuses_to_fill_a_hole_out_of_order(settings):
    ledger = open_ledger(settings)
    code = enrol_partners(ledger, 1)[0]
    certify(ledger, code, "Ann")
    certify(ledger, code, "Bob")
    publish_directly(settings, ledger, keep=lambda position: position != 2)
    with pytest.raises(RelayStateMismatch, match=r"lacks positions \[2\]"):
        open_relay(settings, ledger)


def test_refuses_topics_that_belong_to_another_store(settings, tmp_path):
    first = open_ledger(settings)
    enrol_partners(first, 3)
    drain(settings, first)
    other_store = dataclasses.replace(
        settings,
        event_store_url=f"sqlite:///{tmp_path}/other/events.sqlite",
    )
    second = open_ledger(other_store)
    enrol_partners(second, 1)
    with pytest.raises(RelayStateMismatch, match="belong to another store"):
        open_relay(other_store, second)


def test_refuses_empty_topics_behind_a_checkpoint(settings):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 2)
    drain(settings, ledger)
    reset_broker = dataclasses.replace(settings, topic_prefix=f"{settings.topic_prefix}-reset")
    with pytest.raises(RelayStateMismatch, match="topics are empty"):
        open_relay(reset_broker, ledger)


def test_a_second_relay_on_the_same_store_is_refused(settings):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 1)
    first = open_relay(settings, ledger)
    try:
        with pytest.raises(RelayAlreadyRunning):
            open_relay(settings, ledger)
    finally:
        first.close()
    open_relay(settings, ledger).close()  # released with the first relay


def test_refuses_topics_whose_partition_count_changed(settings):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 4)
    drain(settings, ledger)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        admin.create_partitions({f"{settings.topic_prefix}.partner": settings.topic_partitions + 2})
    finally:
        admin.close()
    enrol_partners(ledger, 1, first=10)
    with pytest.raises(RelayStateMismatch, match="per-aggregate order would break"):
        open_relay(settings, ledger)


def test_a_record_too_large_for_the_broker_is_refused_before_anything_after_it_is_queued(settings):
    # Refused by send() itself, so the relay stops there; refused later by the broker, it would
    # fail alone while the batches after it were written, leaving a hole.
    prepare_topics(settings)
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **producer_settings()
    )
    try:
        with pytest.raises(MessageSizeTooLargeError):
            producer.send(
                f"{settings.topic_prefix}.partner", value=b"x" * (1024 * 1024 + 13), partition=0
            )
    finally:
        producer.close()
