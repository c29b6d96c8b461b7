"""The ledger's Prometheus metrics, computed at scrape time from the stores and Kafka.

A custom collector rather than counters bumped in the relay's and projector's loops: the
numbers are the stores' own (what the checkpoint, the stored positions and the projection
tables say), so they are right after a restart and cost the hot paths nothing. Each source
has an ``_up`` gauge; a source that is down leaves its metrics out instead of failing the
scrape.

Numbers that only grow (events stored and published, decisions, dead letters) are counters,
named ``..._total`` as Prometheus asks, so ``rate()`` and ``increase()`` apply to them (a
rebuilt projection starts them again from zero, which Prometheus reads as a counter reset);
lags, positions and ``_up`` are gauges. ``CounterMetricFamily`` takes the ``_total`` name and
writes each exposition format's own spelling of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from infra.ops.exposition import process_registry
from infra.ops.pipeline_status import PipelineStatus


class LedgerCollector(Collector):
    def __init__(self, read_status: Callable[[], PipelineStatus]) -> None:
        self.read_status = read_status

    def collect(self) -> Iterator[Metric]:
        status = self.read_status()
        yield _up("ledger_event_store_up", "1 if the event store answered", status.publication)
        yield _up("ledger_projections_up", "1 if the projection database answered", status.counts)
        if status.kafka_up is not None:
            yield GaugeMetricFamily(
                "ledger_kafka_up", "1 if Kafka told its end offsets", value=int(status.kafka_up)
            )
        yield from _publication(status)
        yield from _projections(status)


def _up(name: str, documentation: str, reading: object | None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=int(reading is not None))


def _publication(status: PipelineStatus) -> Iterator[Metric]:
    publication = status.publication
    if publication is None:
        return
    yield CounterMetricFamily(
        "ledger_events_stored_total", "events in the event store", value=publication.stored
    )
    yield CounterMetricFamily(
        "ledger_events_published_total",
        "events Kafka acknowledged (the relay's checkpoint)",
        value=publication.published,
    )
    yield GaugeMetricFamily(
        "ledger_relay_lag_events",
        "events stored but not yet published",
        value=publication.unpublished,
    )
    yield GaugeMetricFamily(
        "ledger_event_store_position",
        "the event store's highest notification id",
        value=publication.store_position,
    )
    yield GaugeMetricFamily(
        "ledger_relay_position",
        "the notification id up to which Kafka holds every event",
        value=publication.published_position,
    )


def _projections(status: PipelineStatus) -> Iterator[Metric]:
    if status.counts is not None:
        yield CounterMetricFamily(
            "ledger_dead_letters_total",
            "messages the projector could not decode and set aside",
            value=status.counts.dead_letters,
        )
        decisions = CounterMetricFamily(
            "ledger_exclusivity_decisions_total",
            "exclusivity decisions taken",
            labels=["outcome"],
        )
        for outcome, count in status.counts.decisions_by_outcome.items():
            decisions.add_metric([outcome], count)
        yield decisions
    if status.consumer_lag is not None:
        lag = GaugeMetricFamily(
            "ledger_consumer_lag",
            "messages on Kafka the projector has not yet stored",
            labels=["topic", "partition"],
        )
        for partition in status.consumer_lag:
            lag.add_metric([partition.topic, str(partition.partition)], partition.lag)
        yield lag


def ledger_registry(read_status: Callable[[], PipelineStatus]) -> CollectorRegistry:
    """A registry of the ledger's metrics and the serving process's own (see
    ``infra.ops.exposition``); the caller may add its own, such as request latencies."""
    registry = process_registry()
    registry.register(LedgerCollector(read_status))
    return registry
