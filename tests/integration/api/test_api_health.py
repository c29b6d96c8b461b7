"""The API's probes (/healthz, /readyz) and who may scrape /metrics, without a broker.

Kafka is pointed at a closed port here: the API's probes must not depend on it, and a scrape
must still answer, saying Kafka is down.
"""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.app import close_app, create_app
from infra.settings import Settings
from tests.builders.api_world import bearer_for, make_tokens
from tests.fixtures.infrastructure import free_port


def settings_for(tmp_path, **overrides: str) -> Settings:
    env = {
        "LEDGER_DATA_DIR": str(tmp_path),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
        **overrides,
    }
    return Settings.from_env(env)


@pytest.fixture
def client_for():
    apps = []

    def make(settings: Settings):
        tokens, secrets = make_tokens()
        app = create_app(settings, tokens)
        apps.append(app)
        return app.test_client(), secrets

    yield make
    for app in apps:
        close_app(app)


def test_liveness_answers_without_a_token(tmp_path, client_for):
    client, _ = client_for(settings_for(tmp_path))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_when_both_databases_answer(tmp_path, client_for):
    client, _ = client_for(settings_for(tmp_path))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"projections": "ok", "event_store": "ok"},
    }


def test_not_ready_while_the_projection_database_is_unreachable(tmp_path, client_for):
    unreachable = f"postgresql://ledger:secret@127.0.0.1:{free_port()}/ledger"
    client, _ = client_for(settings_for(tmp_path, LEDGER_PROJECTIONS_URL=unreachable))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "checks": {"projections": "unavailable", "event_store": "ok"},
    }
    assert "127.0.0.1" not in response.get_data(as_text=True)  # nothing about the server leaks


def test_metrics_need_an_ops_token_by_default(tmp_path, client_for):
    client, secrets = client_for(settings_for(tmp_path))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer_for(secrets, "antemeta")).status_code == 403
    assert client.get("/metrics", headers=bearer_for(secrets, "auditor")).status_code == 403


def test_a_scrape_while_kafka_is_down_reports_it_and_the_rest(tmp_path, client_for):
    client, secrets = client_for(settings_for(tmp_path))
    response = client.get("/metrics", headers=bearer_for(secrets, "ops"))
    assert response.status_code == 200
    samples = {
        sample.name: sample
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }
    assert samples["ledger_kafka_up"].value == 0
    assert "ledger_consumer_lag" not in samples
    assert samples["ledger_event_store_up"].value == 1
    assert samples["ledger_events_stored_total"].value == 0
    assert samples["ledger_dead_letters_total"].value == 0


def test_metrics_can_be_opened_to_a_scraper_without_a_token(tmp_path, client_for):
    client, _ = client_for(settings_for(tmp_path, LEDGER_METRICS_AUTH="none"))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "ledger_projections_up 1.0" in response.get_data(as_text=True)


@pytest.mark.parametrize(("setting", "secure"), [("false", False), ("true", True)])
def test_the_dashboard_cookie_is_httponly_strict_and_secure_when_asked(
    tmp_path, client_for, setting, secure
):
    client, secrets = client_for(settings_for(tmp_path, LEDGER_DASHBOARD_SECURE_COOKIE=setting))
    response = client.post("/dashboard/login", data={"token": secrets["ops"]})
    cookie = response.headers["Set-Cookie"]
    assert response.status_code in (302, 303)
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/dashboard" in cookie
    assert ("Secure" in cookie) is secure
    assert secrets["ops"] not in cookie
