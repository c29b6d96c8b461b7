"""`GET /metrics` tells what the stores and Kafka say: stored, published, lag, dead letters.

The pipeline is moved by hand (relay, project, record more) so each number is known from the
stores themselves, then read back through a scrape.
"""

from collections import Counter

import pytest
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from api.app import close_app, create_app
from infra.bootstrap import open_projector, open_relay
from infra.kafka.clients import producer_settings
from infra.kafka.topics import ledger_topics
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from projections import program_queries as views
from projections.database import open_projection_db
from tests.builders.api_world import bearer_for, make_tokens, record_program
from tests.builders.scenario import enrol_partners, stored_positions

pytestmark = pytest.mark.kafka

Samples = dict[str, dict[tuple[tuple[str, str], ...], float]]


def scrape(settings: Settings) -> Samples:
    """Every sample of one scrape: metric name -> labels -> value."""
    tokens, secrets = make_tokens()
    app = create_app(settings, tokens)
    try:
        response = app.test_client().get("/metrics", headers=bearer_for(secrets, "ops"))
    finally:
        close_app(app)
    assert response.status_code == 200
    samples: Samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return samples


def value(samples: Samples, name: str) -> float:
    return samples[name][()]


def lag_by_partition(samples: Samples) -> dict[tuple[str, int], float]:
    return {
        (dict(labels)["topic"], int(dict(labels)["partition"])): lag
        for labels, lag in samples["ledger_consumer_lag"].items()
    }


def relay_all(settings: Settings, ledger) -> int:
    relay = open_relay(settings, ledger)
    try:
        return relay.drain()
    finally:
        relay.close()


def project_all(settings: Settings) -> None:
    projector = open_projector(settings)
    try:
        for _ in range(10):  # a drain stops at a rebalance; the next one carries on
            if not projector.drain():
                break
    finally:
        projector.close()


def projection_query(settings: Settings, query):
    engine = open_projection_db(sqlalchemy_url(settings.projections_url))
    try:
        with engine.connect() as connection:
            return query(connection)
    finally:
        engine.dispose()


@pytest.fixture
def ledger(settings):
    opened = open_ledger(settings)
    yield opened
    opened.close()


def test_a_drained_pipeline_has_no_lag_and_counts_decisions_by_outcome(settings, ledger):
    record_program(ledger)
    published = relay_all(settings, ledger)
    project_all(settings)

    samples = scrape(settings)

    stored = value(samples, "ledger_events_stored_total")
    assert stored == len(stored_positions(ledger)) == published
    assert value(samples, "ledger_events_published_total") == published
    assert value(samples, "ledger_relay_lag_events") == 0
    assert value(samples, "ledger_kafka_up") == 1
    lags = lag_by_partition(samples)
    assert {topic for topic, _ in lags} == set(ledger_topics(settings))
    assert set(lags.values()) == {0}
    by_outcome: Counter[str] = Counter()
    for count in projection_query(settings, views.decision_counts):
        by_outcome[count.outcome] += count.count
    decisions = {
        dict(labels)["outcome"]: n
        for labels, n in samples["ledger_exclusivity_decisions_total"].items()
    }
    assert decisions == by_outcome == {"granted": 2, "denied": 1}


def test_lags_count_events_not_yet_published_and_messages_not_yet_projected(settings, ledger):
    enrol_partners(ledger, 4)
    first = relay_all(settings, ledger)
    project_all(settings)
    enrol_partners(ledger, 3, first=4)
    relay_all(settings, ledger)  # on Kafka, not projected
    enrol_partners(ledger, 2, first=7)  # stored only

    samples = scrape(settings)

    stored = value(samples, "ledger_events_stored_total")
    assert stored == len(stored_positions(ledger)) == first + 5
    assert value(samples, "ledger_events_published_total") == first + 3
    assert value(samples, "ledger_relay_lag_events") == 2
    lags = lag_by_partition(samples)
    partner_topic = f"{settings.topic_prefix}.partner"
    assert sum(lags.values()) == 3
    assert sum(lag for (topic, _), lag in lags.items() if topic == partner_topic) == 3
    assert len(lags) == settings.topic_partitions * len(ledger_topics(settings))


def test_a_poison_message_shows_as_a_dead_letter(settings, ledger):
    enrol_partners(ledger, 2)
    relay_all(settings, ledger)
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **producer_settings()
    )
    producer.send(f"{settings.topic_prefix}.partner", key=b"poison", value=b"\x00 not json")
    producer.flush()
    producer.close()
    project_all(settings)

    samples = scrape(settings)

    assert value(samples, "ledger_dead_letters_total") == 1
    assert len(projection_query(settings, views.dead_letters)) == 1
    assert set(lag_by_partition(samples).values()) == {0}
