"""`GET /metrics` tells what the stores and Kafka say: stored, published, lag, dead letters;
and how long the API took to answer, per route, in the format the scraper asks for.

The pipeline is moved by hand (relay, project, record more) so each number is known from the
stores themselves, then read back through a scrape.
"""

from collections import Counter

import pytest
from kafka import KafkaProducer
from prometheus_client.core import Metric
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from api.app import close_app, create_app
from infra.bootstrap import open_projector, open_relay
from infra.kafka.clients import producer_settings
from infra.kafka.topics import ledger_topics
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db
from projections.models.dead_letters import dead_letters
from projections.models.exclusivity_decisions import decision_counts
from tests.builders.api_world import bearer_for, make_tokens, record_program
from tests.builders.scenario import enrol_partners, stored_positions
from tests.fixtures.promtool import (
    OPENMETRICS,
    TEXT_FORMAT,
    check_openmetrics,
    check_text_format,
    promtool,
)

pytestmark = pytest.mark.kafka

Samples = dict[str, dict[tuple[tuple[str, str], ...], float]]


@pytest.fixture
def api(settings):
    """A client of the real API on the test's stores, and the ops token's header."""
    tokens, secrets = make_tokens()
    app = create_app(settings, tokens)
    yield app.test_client(), bearer_for(secrets, "ops")
    close_app(app)


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
    for count in projection_query(settings, decision_counts):
        by_outcome[count.outcome] += count.count
    decisions = {
        dict(labels)["outcome"]: n
        for labels, n in samples["ledger_exclusivity_decisions_total"].items()
    }
    # cloudco's registration of ACME under another reference waits for review.
    assert decisions == by_outcome == {"granted": 2, "denied": 1, "pending": 1}


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
    assert len(projection_query(settings, dead_letters)) == 1
    assert set(lag_by_partition(samples).values()) == {0}


def families(response) -> dict[str, Metric]:
    """The scrape's metric families, parsed in the format its content type names."""
    body = response.get_data(as_text=True)
    parse = (
        openmetrics_families
        if response.content_type.startswith("application/openmetrics-text")
        else text_string_to_metric_families
    )
    return {family.name: family for family in parse(body)}


def latency_samples(scraped: dict[str, Metric]) -> dict[tuple[str, str, str], dict[str, float]]:
    """(route, method, status) -> sample name (with `le` for buckets) -> value."""
    histogram = scraped["ledger_http_request_duration_seconds"]
    assert histogram.type == "histogram"
    found: dict[tuple[str, str, str], dict[str, float]] = {}
    for sample in histogram.samples:
        labels = dict(sample.labels)
        le = labels.pop("le", None)
        key = (labels["route"], labels["method"], labels["status"])
        name = sample.name if le is None else f"{sample.name}{{le={le}}}"
        found.setdefault(key, {})[name] = sample.value
    return found


def test_each_request_is_timed_under_its_route_template_method_and_status(api):
    client, ops = api
    assert client.get("/partners/nosuchpartner", headers=ops).status_code == 404
    assert client.get("/partners/another-one", headers=ops).status_code == 404
    assert client.get("/partners").status_code == 401  # answered by the access check
    assert client.get("/no/such/page", headers=ops).status_code == 404

    latencies = latency_samples(families(client.get("/metrics", headers=ops)))

    # The route as declared, never the path asked for: one series for every partner code.
    partner = latencies[("/partners/{code}", "GET", "404")]
    assert partner["ledger_http_request_duration_seconds_count"] == 2
    assert partner["ledger_http_request_duration_seconds_bucket{le=+Inf}"] == 2
    assert sum(name.endswith("_bucket{le=0.005}") for name in partner) == 1  # default buckets
    assert latencies[("/partners", "GET", "401")]["ledger_http_request_duration_seconds_count"] == 1
    assert latencies[("unmatched", "GET", "404")]["ledger_http_request_duration_seconds_count"] == 1
    assert not any("nosuchpartner" in route or "/no/" in route for route, _, _ in latencies)


def test_the_scrape_says_which_format_it_is_in(api):
    client, ops = api
    plain = client.get("/metrics", headers=ops)
    assert plain.content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert plain.headers["Vary"] == "Accept"
    # The text format 0.0.4 spells the counter `_total` in its TYPE line and its sample too.
    assert "# TYPE ledger_events_stored_total counter\n" in plain.get_data(as_text=True)
    assert families(plain)["ledger_events_stored"].type == "counter"

    accept = "application/openmetrics-text; version=1.0.0,text/plain;q=0.5"
    asked = client.get("/metrics", headers={**ops, "Accept": accept})
    assert asked.content_type.startswith("application/openmetrics-text; version=1.0.0")
    assert asked.get_data(as_text=True).endswith("# EOF\n")
    scraped = families(asked)
    # OpenMetrics names a counter's family without `_total` and its samples with it.
    stored = scraped["ledger_events_stored"]
    assert stored.type == "counter"
    assert [sample.name for sample in stored.samples] == ["ledger_events_stored_total"]
    assert scraped["ledger_event_store_up"].type == "gauge"


def test_the_api_process_reports_its_own_metrics(api):
    client, ops = api
    scraped = families(client.get("/metrics", headers=ops))
    assert scraped["process_cpu_seconds"].type == "counter"
    assert scraped["process_start_time_seconds"].type == "gauge"
    assert "process_resident_memory_bytes" in scraped
    assert scraped["python_info"].type == "gauge"


def test_promtool_finds_nothing_to_say_about_either_format(settings, ledger, api, tmp_path):
    promtool()  # skips (or fails, under LEDGER_REQUIRE_PROMTOOL=1) before recording anything
    record_program(ledger)
    relay_all(settings, ledger)
    project_all(settings)
    client, ops = api
    client.get("/partners/antemeta", headers=ops)  # so the histogram has series

    plain = client.get("/metrics", headers={**ops, "Accept": TEXT_FORMAT})
    assert plain.content_type.startswith("text/plain")
    # Every family present: the counters with labels, the consumer lag, the histogram.
    present = set(families(plain))
    assert {"ledger_exclusivity_decisions", "ledger_consumer_lag", "process_cpu_seconds"} <= present
    assert "ledger_http_request_duration_seconds" in present
    check_text_format(plain.get_data())

    openmetrics = client.get("/metrics", headers={**ops, "Accept": OPENMETRICS})
    assert openmetrics.content_type.startswith("application/openmetrics-text")
    check_openmetrics(openmetrics.get_data(), tmp_path)
