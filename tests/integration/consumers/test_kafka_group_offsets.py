"""Kafka's own view of the ledger's groups: the offsets they mirror there after each SQL commit.

Lag is read here as the standard tools read it (kafka-consumer-groups.sh, Burrow): from Kafka
alone, with an admin client of its own: a partition's end offset minus the group's committed
offset. Nothing of the ledger's SQL positions is consulted.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from consumers.subscriber import open_subscriber
from infra.audit.replay import replay_into
from infra.bootstrap import open_projector
from infra.kafka.topics import ledger_topics
from infra.settings import Settings
from infra.store.event_store import open_ledger
from projections.partner_statuses import partner_statuses
from tests.builders.pipeline import relay_all, stored_count
from tests.builders.scenario import START, enrol_partners

pytestmark = pytest.mark.kafka


def partitions(settings: Settings) -> list[TopicPartition]:
    return [
        TopicPartition(topic, partition)
        for topic in ledger_topics(settings)
        for partition in range(settings.topic_partitions)
    ]


def admin_client(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=15_000
    )


def end_offsets(settings: Settings) -> dict[TopicPartition, int]:
    admin = admin_client(settings)
    try:
        ends = admin.list_partition_offsets(dict.fromkeys(partitions(settings), OffsetSpec.LATEST))
    finally:
        admin.close()
    return {tp: answer.offset for tp, answer in ends.items()}


def committed_offsets(settings: Settings, group: str) -> dict[TopicPartition, int]:
    admin = admin_client(settings)
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                answer = admin.list_group_offsets(group)
                break
            except KafkaError as error:
                # A fresh broker creates its offsets topic on the first group lookup, and its
                # coordinator takes a moment to load it.
                if not error.retriable or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        admin.close()
    return {tp: committed.offset for tp, committed in answer.get(group, {}).items()}


def kafka_lag(settings: Settings, group: str) -> dict[TopicPartition, int]:
    """Per partition, what a lag tool reports. Without a committed offset, the whole partition
    (the topics keep everything, so their logs start at 0)."""
    committed = committed_offsets(settings, group)
    return {tp: end - committed.get(tp, 0) for tp, end in end_offsets(settings).items()}


def wait_for_lag(settings: Settings, group: str, expected: dict[TopicPartition, int]) -> None:
    """The commits are asynchronous: give them a moment to land."""
    deadline = time.monotonic() + 10
    while (lag := kafka_lag(settings, group)) != expected:
        assert time.monotonic() < deadline, f"lag {lag}, expected {expected}"
        time.sleep(0.1)


def zero(settings: Settings) -> dict[TopicPartition, int]:
    return dict.fromkeys(partitions(settings), 0)


def test_kafka_shows_the_projector_group_lag_and_it_reaches_zero_after_a_drain(settings):
    ledger = open_ledger(settings)
    group = settings.projector_group
    enrol_partners(ledger, 6)
    relay_all(settings, ledger)
    assert sum(kafka_lag(settings, group).values()) == stored_count(settings)

    projector = open_projector(settings)
    assert projector.consumer.config["enable_auto_commit"] is False
    assert projector.drain() == stored_count(settings)
    wait_for_lag(settings, group, zero(settings))  # while it runs, not only once it closes
    projector.close()
    assert kafka_lag(settings, group) == zero(settings)
    drained_at = end_offsets(settings)

    # Published but not projected: the lag is exactly the events waiting, partition by partition.
    enrol_partners(ledger, 5, first=6)
    waiting = relay_all(settings, ledger)
    assert waiting == 5
    ends = end_offsets(settings)
    lag = kafka_lag(settings, group)
    assert lag == {tp: ends[tp] - drained_at[tp] for tp in ends}
    assert sum(lag.values()) == waiting

    projector = open_projector(settings)
    try:
        assert projector.drain() == waiting
    finally:
        projector.close()
    assert kafka_lag(settings, group) == zero(settings)
    # What Kafka holds is what the database holds, partition by partition.
    projector = open_projector(settings)
    try:
        stored = {tp: projector.stored_position(tp) for tp in partitions(settings)}
    finally:
        projector.close()
    assert committed_offsets(settings, group) == {
        tp: offset for tp, offset in stored.items() if offset is not None
    }
    ledger.close()


@pytest.mark.parametrize("bogus", ["behind", "ahead"])
def test_a_restart_resumes_from_sql_whatever_kafka_says(settings, bogus):
    ledger = open_ledger(settings)
    group = settings.projector_group
    enrol_partners(ledger, 5)
    first = relay_all(settings, ledger)
    projector = open_projector(settings)
    try:
        assert projector.drain() == first
    finally:
        projector.close()
    # Someone resets the group in Kafka: to the start (everything would be projected twice) or
    # past the end (the next events would be skipped). The projector is closed: the group is
    # empty, so Kafka accepts the change.
    ends = end_offsets(settings)
    admin = admin_client(settings)
    try:
        errors = admin.alter_group_offsets(
            group,
            {
                tp: OffsetAndMetadata(0 if bogus == "behind" else end + 100, "", -1)
                for tp, end in ends.items()
            },
        )
    finally:
        admin.close()
    assert all(error.errno == 0 for error in errors.values()), errors
    assert committed_offsets(settings, group) != {tp: end for tp, end in ends.items() if end}

    enrol_partners(ledger, 3, first=5)
    assert relay_all(settings, ledger) == 3
    projector = open_projector(settings)
    try:
        assert projector.drain() == 3  # the new events only, none of them skipped
        with projector.engine.connect() as connection:
            statuses = partner_statuses(connection, START)
    finally:
        projector.close()
    assert len(statuses) == 8
    assert len({status.code for status in statuses}) == 8
    # The next commits overwrite the bogus offsets where the projector moved.
    moved = {tp for tp, end in end_offsets(settings).items() if end != ends[tp]}
    lag = kafka_lag(settings, group)
    assert all(lag[tp] == 0 for tp in moved)
    ledger.close()


def test_a_subscriber_commits_its_offsets_to_kafka_too(settings, tmp_path: Path):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 4)
    relay_all(settings, ledger)
    group = f"subscriber-{settings.topic_prefix}"
    seen: list[str] = []
    subscriber = open_subscriber(
        settings.kafka_bootstrap_servers,
        f"sqlite:///{tmp_path / 'subscriber.db'}",
        group,
        ledger_topics(settings),
        lambda envelope, connection: seen.append(envelope.event_id),
    )
    try:
        assert subscriber.consumer.config["enable_auto_commit"] is False
        assert subscriber.drain() == stored_count(settings)
    finally:
        subscriber.close()
    assert len(seen) == stored_count(settings)
    assert kafka_lag(settings, group) == zero(settings)
    ledger.close()


def test_a_replay_commits_nothing_and_joins_no_group(settings, tmp_path: Path):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 4)
    relay_all(settings, ledger)
    ledger.close()
    admin = admin_client(settings)
    try:
        before = group_ids(admin)
        assert replay_into(settings, f"sqlite:///{tmp_path / 'replay.sqlite'}") > 0
        after = group_ids(admin)
    finally:
        admin.close()
    assert not {group for group in after - before if group.startswith("replay-")}


def group_ids(admin: KafkaAdminClient) -> set[str]:
    return {group["group_id"] for group in admin.list_groups()}
