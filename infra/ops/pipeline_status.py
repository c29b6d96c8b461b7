"""The pipeline's state as ops watch it: publication, consumer lag, dead letters, decisions.

Read at the moment it is asked for (a Prometheus scrape, a dashboard page) from the stores and
Kafka, never counted in the relay's or the projector's loops. A source that does not answer
is reported as such (None) and the others are still read: a scrape during an outage must
show which part is down, not fail.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, func, select

from domain.ledger import Ledger
from infra.kafka.lag import EndOffsets, KafkaUnreachable, PartitionLag, consumer_lag
from infra.kafka.topics import ledger_topics
from infra.relay.status import Publication, read_publication
from infra.settings import Settings
from infra.store.urls import sqlalchemy_url
from projections.models.dead_letters import dead_letter
from projections.models.exclusivity_decisions import exclusivity_decision

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProjectionCounts:
    dead_letters: int
    decisions_by_outcome: dict[str, int]  # outcome -> decisions


@dataclass(frozen=True)
class PipelineStatus:
    publication: Publication | None  # None: the event store did not answer
    counts: ProjectionCounts | None  # None: the projection database did not answer
    kafka_up: bool | None  # None: not asked, the projections being down
    consumer_lag: list[PartitionLag] | None  # None: Kafka or the projections did not answer

    @property
    def total_consumer_lag(self) -> int | None:
        return None if self.consumer_lag is None else sum(p.lag for p in self.consumer_lag)


class PipelineProbe:
    """Reads a PipelineStatus; `ledger` and `projections` open the stores on first use."""

    def __init__(
        self,
        settings: Settings,
        ledger: Callable[[], Ledger],
        projections: Callable[[], Engine],
    ) -> None:
        self.settings = settings
        self._ledger = ledger
        self._projections = projections
        self._store: Engine | None = None
        self._store_lock = threading.Lock()
        self.end_offsets = EndOffsets(settings.kafka_bootstrap_servers)

    def status(self) -> PipelineStatus:
        counts = self._counts()
        lag = None if counts is None else self._consumer_lag()
        return PipelineStatus(
            publication=self._publication(),
            counts=counts,
            kafka_up=None if counts is None else lag is not None,
            consumer_lag=lag,
        )

    def _counts(self) -> ProjectionCounts | None:
        try:
            with self._projections().connect() as connection:
                dead = connection.execute(select(func.count()).select_from(dead_letter)).scalar()
                outcomes = connection.execute(
                    select(exclusivity_decision.c.outcome, func.count())
                    .group_by(exclusivity_decision.c.outcome)
                    .order_by(exclusivity_decision.c.outcome)
                )
                return ProjectionCounts(int(dead or 0), {o: int(n) for o, n in outcomes})
        except Exception as error:  # any failure means "did not answer"
            log.warning("projections unavailable: %s", error)
            return None

    def _publication(self) -> Publication | None:
        try:
            return read_publication(self._ledger(), self._store_engine())
        except Exception as error:  # any failure means "did not answer"
            log.warning("event store unavailable: %s", error)
            return None

    def _consumer_lag(self) -> list[PartitionLag] | None:
        try:
            ends = self.end_offsets.of(ledger_topics(self.settings))
        except KafkaUnreachable as error:
            log.warning("Kafka unavailable: %s", error)
            return None
        with self._projections().connect() as connection:
            return consumer_lag(connection, self.settings.projector_group, ends)

    def _store_engine(self) -> Engine:
        with self._store_lock:
            if self._store is None:
                self._store = create_engine(sqlalchemy_url(self.settings.event_store_url))
            return self._store

    def close(self) -> None:
        self.end_offsets.close()
        with self._store_lock:
            if self._store is not None:
                self._store.dispose()
            self._store = None
