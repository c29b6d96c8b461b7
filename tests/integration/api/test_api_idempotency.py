"""Idempotency-Key on commands, on both event stores: a retry with the same key and body gets the
first answer and records nothing, also when the retries arrive together over real HTTP; another
body under the key is a 409; a malformed key is a 400 naming the header."""

from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.app import close_app, create_app
from cli.api import api_server
from contracts.inputs.rules_schema import DEFAULT_RULES_FILE
from tests.builders.api_world import bearer_for, make_tokens
from tests.builders.command_bodies import DEAL, ENROL
from tests.builders.pipeline import stored_count

pytestmark = pytest.mark.kafka

RETRIES = 100


@pytest.fixture
def app(settings):
    tokens, secrets = make_tokens()
    app = create_app(settings, tokens)
    app.config["secrets"] = secrets
    yield app
    close_app(app)


@pytest.fixture
def api(app):
    client = app.test_client()
    secrets = app.config["secrets"]

    def post(command, body, key=None):
        headers = bearer_for(secrets, "manager")
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(f"/commands/{command}", json=body, headers=headers)

    return post


@pytest.fixture
def enrolled(api):
    assert api("publish-rules", json.loads(DEFAULT_RULES_FILE.read_text())).status_code == 204
    assert api("enroll-partner", ENROL).status_code == 201


def test_the_same_key_a_hundred_times_records_one_registration(api, settings, enrolled):
    before = stored_count(settings)
    first = api("register-deal", DEAL, key="reg-1")
    recorded = stored_count(settings)
    retries = [api("register-deal", DEAL, key="reg-1") for _ in range(RETRIES)]

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert recorded > before
    assert stored_count(settings) == recorded
    assert {r.status_code for r in retries} == {201}
    assert all(r.headers["Idempotent-Replayed"] == "true" for r in retries)
    assert all(r.get_json() == first.get_json() for r in retries)


def test_the_same_key_a_hundred_times_at_once_over_http_records_one_event(app, settings, enrolled):
    server = api_server(app, settings, "127.0.0.1", 0, 8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    headers = {
        **bearer_for(app.config["secrets"], "manager"),
        "Content-Type": "application/json",
        "Idempotency-Key": "enrol-bigcorp",
    }
    body = json.dumps({**ENROL, "code": "bigcorp", "name": "BigCorp"})

    def send(_: int) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=60)
        try:
            connection.request("POST", "/commands/enroll-partner", body, headers)
            answer = connection.getresponse()
            return answer.status, answer.read().decode()
        finally:
            connection.close()

    before = stored_count(settings)
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(send, range(RETRIES)))
    finally:
        server.close()
        thread.join(timeout=10)

    assert stored_count(settings) == before + 1  # one partner.enrolled, nothing else
    assert {status for status, _ in answers} == {201}
    assert len({text for _, text in answers}) == 1
    assert json.loads(answers[0][1])["partner"] == "bigcorp"


def test_the_same_key_with_another_body_is_a_409_and_records_nothing(api, settings, enrolled):
    api("register-deal", DEAL, key="reg-2")
    before = stored_count(settings)

    response = api("register-deal", {**DEAL, "estimated_value": "99"}, key="reg-2")

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["rule"] == "request-key-names-one-request"
    assert stored_count(settings) == before


def test_a_key_used_for_another_command_is_a_409(api, settings, enrolled):
    api("sweep", {"as_of": "2011-02-01"}, key="shared")
    response = api("enroll-partner", {**ENROL, "code": "cloudco"}, key="shared")
    assert response.status_code == 409
    assert response.get_json()["rule"] == "request-key-names-one-request"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "must not be empty"),
        ("k" * 256, "must be at most 255 characters (got 256)"),
        ("two words", "must be printable ASCII without spaces"),
    ],
    ids=["empty", "too long", "with a space"],
)
def test_a_malformed_key_is_a_400_naming_the_header_and_writes_nothing(api, settings, key, reason):
    response = api("enroll-partner", ENROL, key=key)

    assert response.status_code == 400
    assert response.get_json()["invalid-params"] == [
        {"name": "Idempotency-Key", "location": "header", "reason": reason}
    ]
    assert stored_count(settings) == 0


def test_a_refused_command_keeps_no_key_so_its_retry_is_decided_afresh(api, settings):
    api("publish-rules", json.loads(DEFAULT_RULES_FILE.read_text()))
    refused = api("register-deal", DEAL, key="reg-3")  # antemeta is not enrolled yet
    assert refused.status_code == 409
    assert refused.get_json()["rule"] == "partner-must-be-enrolled"
    api("enroll-partner", ENROL)

    retried = api("register-deal", DEAL, key="reg-3")

    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


def test_a_no_content_command_replays_as_no_content(api, settings, enrolled):
    certification = {
        "partner_code": "antemeta",
        "individual": "A. Martin",
        "kind": "technical",
        "specialization": "data-protection",
        "effective_on": "2010-12-01",
        "expires_on": "2012-12-01",
    }
    first = api("record-certification", certification, key="cert-1")
    recorded = stored_count(settings)
    again = api("record-certification", certification, key="cert-1")

    assert (first.status_code, again.status_code) == (204, 204)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored_count(settings) == recorded


def test_a_sweep_under_a_key_answers_its_first_report(api, settings, enrolled):
    first = api("sweep", {"as_of": "2012-06-01"}, key="sweep-1")
    recorded = stored_count(settings)
    again = api("sweep", {"as_of": "2012-06-01"}, key="sweep-1")

    assert first.get_json()["tier_reviews"] == 1
    assert again.get_json() == first.get_json()
    assert stored_count(settings) == recorded


def test_the_openapi_document_describes_the_header_on_every_command(app):
    document = app.test_client().get("/openapi.json").get_json()
    writes = {
        path: operation["post"]
        for path, operation in document["paths"].items()
        if "post" in operation and path != "/simulations"
    }
    assert len(writes) == 13
    for path, operation in writes.items():
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [h["name"] for h in headers] == ["Idempotency-Key"], path
        assert headers[0]["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
