"""A drain that shares its group with a member which is not projecting.

A member SIGKILLed a moment ago keeps its partitions until its session expires, so a
`ledger project --once` started then is assigned only part of the topics. Here a plain consumer
of the group stands in for that member's last seconds: it holds half of the partitions while
polling, projects nothing, then leaves. The drain must not finish on its own half.
"""

from __future__ import annotations

import threading
import time

import pytest

from infra.bootstrap import open_projector
from infra.kafka.clients import new_consumer
from infra.kafka.topics import ledger_topics
from infra.store.event_store import open_ledger
from tests.builders.pipeline import relay_all, stored_count
from tests.builders.scenario import enrol_partners

pytestmark = pytest.mark.kafka

HOLD_S = 4.0


def hold_partitions(settings, joined: threading.Event, stop: threading.Event) -> None:
    member = new_consumer(settings.kafka_bootstrap_servers, settings.projector_group)
    member.subscribe(ledger_topics(settings))
    try:
        while not stop.is_set():
            member.poll(timeout_ms=100)  # keeps it in the group across the drain's join
            if member.assignment():
                joined.set()
    finally:
        member.close()  # leaves the group: the rebalance hands its partitions to the drain


def test_a_drain_beside_a_member_holding_partitions_waits_for_all_of_them(settings):
    ledger = open_ledger(settings)
    enrol_partners(ledger, 12)
    relay_all(settings, ledger)
    joined, stop = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_partitions, args=(settings, joined, stop))
    holder.start()
    try:
        assert joined.wait(30), "the other member never got an assignment"
        projector = open_projector(settings)
        threading.Timer(HOLD_S, stop.set).start()
        started = time.monotonic()
        try:
            projected = projector.drain()
            waited = time.monotonic() - started
            partitions = projector.partitions()
            stored = {tp: projector.stored_position(tp) for tp in partitions}
            ends = projector.consumer.end_offsets(partitions)
        finally:
            projector.close()
    finally:
        stop.set()
        holder.join()

    assert projected == stored_count(settings)
    assert stored == {tp: end if end else None for tp, end in ends.items()}
    # It finished only once the other member had left, not on its own share.
    assert waited >= HOLD_S * 0.5
