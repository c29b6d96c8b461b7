"""Commands over HTTP on both event stores: what is accepted is recorded, what is refused is
answered with problem details naming the field or the rule, and nothing is written."""

import json

import pytest

from api.app import close_app, create_app
from contracts.inputs.rules_schema import DEFAULT_RULES_FILE
from infra.store.event_store import open_ledger
from tests.builders.api_world import PROTECTED, bearer_for, make_tokens, record_program
from tests.builders.command_bodies import DEAL, ENROL
from tests.builders.pipeline import publish_and_project, stored_count

pytestmark = pytest.mark.kafka


@pytest.fixture
def http(settings):
    """POST a JSON body to a path of the API with one of the test tokens."""
    tokens, secrets = make_tokens()
    app = create_app(settings, tokens)
    client = app.test_client()

    def post(path, body, who="manager"):
        return client.post(path, json=body, headers=bearer_for(secrets, who))

    yield post
    close_app(app)


@pytest.fixture
def api(http):
    return lambda command, body, who="manager": http(f"/commands/{command}", body, who)


def test_a_channel_manager_records_the_program_through_the_api(api, settings):
    assert api("publish-rules", json.loads(DEFAULT_RULES_FILE.read_text())).status_code == 204
    enrolled = api("enroll-partner", ENROL)
    assert enrolled.status_code == 201
    assert enrolled.get_json()["partner"] == "antemeta"
    registered = api("register-deal", DEAL)
    assert registered.status_code == 201
    # Pre-sales work without the area's specialization: preferential conditions, no exclusivity.
    assert registered.get_json()["reason_code"] == "registered-not-exclusive"
    assert registered.get_json()["outcome"] == "registered-not-exclusive"
    quoted = api(
        "issue-quote",
        {
            "opportunity": DEAL["opportunity"],
            "partner_code": "antemeta",
            "list_price": "1000",
            "issued_on": "2011-01-11",
        },
    )
    assert quoted.status_code == 201
    assert quoted.get_json()["protection"] == "preferred"
    assert api("sweep", {"as_of": "2011-02-01"}).get_json()["tier_reviews"] == 0


def test_invalid_body_names_each_field_and_writes_nothing(api, settings):
    before = stored_count(settings)
    response = api("enroll-partner", {**ENROL, "code": "Not A Code", "legacy_tier": "bronze"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problems = {p["name"]: p["reason"] for p in response.get_json()["invalid-params"]}
    assert problems["code"] == "must be 2-63 lowercase letters, digits or hyphens"
    assert "legacy_tier" in problems
    assert stored_count(settings) == before


def test_unknown_and_missing_fields_are_named(api):
    response = api("record-loss", {"opportunity": "acme-backup-2011", "colour": "red"})
    names = {p["name"] for p in response.get_json()["invalid-params"]}
    assert names == {"colour", "lost_on", "reason"}


def test_a_missing_body_names_the_missing_field(api):
    response = api("sweep", None)
    assert response.status_code == 422  # no JSON body at all: as_of is missing
    assert response.get_json()["invalid-params"][0]["name"] == "as_of"


def test_a_broken_rule_is_a_409_naming_the_rule_and_writes_nothing(api, settings):
    api("publish-rules", json.loads(DEFAULT_RULES_FILE.read_text()))
    before = stored_count(settings)
    response = api("register-deal", {**DEAL, "partner_code": "nobody"})
    assert response.status_code == 409
    assert response.get_json()["rule"] == "partner-must-be-enrolled"
    assert stored_count(settings) == before


def test_an_invalid_rules_document_names_the_field_path(api, settings):
    document = json.loads(DEFAULT_RULES_FILE.read_text())
    document["tiers"][1]["base_discount"] = "150"
    response = api("publish-rules", document)
    assert response.status_code == 422
    assert [p["name"] for p in response.get_json()["invalid-params"]] == ["tiers.1.base_discount"]
    assert stored_count(settings) == 0


@pytest.mark.parametrize("who", ["ops", "auditor", "antemeta"])
def test_only_channel_managers_send_commands(api, settings, who):
    response = api("enroll-partner", ENROL, who=who)
    assert response.status_code == 403
    assert stored_count(settings) == 0


@pytest.fixture
def simulations(http):
    return lambda body, who="manager": http("/simulations", body, who)


def test_a_channel_manager_simulates_the_rules_in_force_and_sees_no_difference(
    api, simulations, settings
):
    api("publish-rules", json.loads(DEFAULT_RULES_FILE.read_text()))
    api("enroll-partner", ENROL)
    api("register-deal", DEAL)
    before = stored_count(settings)

    response = simulations({"rules": json.loads(DEFAULT_RULES_FILE.read_text())})

    assert response.status_code == 200
    found = response.get_json()
    assert (found["rules_version"], found["proposed_from"], found["diff"]) == (
        "2010.2",
        "2010-11-01",
        [],
    )
    assert stored_count(settings) == before


def test_a_simulated_rule_set_with_a_bad_field_is_refused_naming_it(simulations, settings):
    rules = json.loads(DEFAULT_RULES_FILE.read_text())
    rules["tiers"][0]["base_discount"] = "120"

    response = simulations({"rules": rules, "from": "2011-01-01"})

    assert response.status_code == 422
    names = [p["name"] for p in response.get_json()["invalid-params"]]
    assert any("base_discount" in name for name in names)
    assert stored_count(settings) == 0


def test_a_partner_token_cannot_run_simulations(simulations):
    response = simulations({"rules": json.loads(DEFAULT_RULES_FILE.read_text())}, who="antemeta")

    assert response.status_code == 403


def test_tiers_at_risk_and_plans_are_served_each_partner_seeing_only_its_own(api, settings):
    api("publish-rules", json.loads(DEFAULT_RULES_FILE.read_text()))
    for code in ("antemeta", "bigcorp"):  # legacy golds that earn nothing in the new program
        api("enroll-partner", {**ENROL, "code": code, "name": code.title()})
    api("sweep", {"as_of": "2011-11-01"})
    ledger = open_ledger(settings)
    try:
        publish_and_project(settings, ledger)
    finally:
        ledger.close()
    tokens, secrets = make_tokens()
    app = create_app(settings, tokens)
    client = app.test_client()

    def read(path, who):
        return client.get(path, headers={"Authorization": f"Bearer {secrets[who]}"}).get_json()

    try:
        at_risk = read("/tiers-at-risk", "ops")
        plans = read("/transition-plans", "ops")
        own = read("/transition-plans", "antemeta")
    finally:
        close_app(app)
    assert {(r["partner"], r["outcome"], r["downgrade_due_on"]) for r in at_risk} == {
        ("antemeta", "downgrade-pending", "2012-01-30"),
        ("bigcorp", "downgrade-pending", "2012-01-30"),
    }
    assert {(p["partner"], p["legacy_tier"], p["floor_tier"]) for p in plans} == {
        ("antemeta", "gold", "silver"),
        ("bigcorp", "gold", "silver"),
    }
    assert [p["partner"] for p in own] == ["antemeta"]


@pytest.fixture
def draws(http, settings):
    """antemeta holds the protection on acme-backup-2011 (5 engineer days) from 2011-01-10."""
    ledger = open_ledger(settings)
    try:
        _, decisions = record_program(ledger)
    finally:
        ledger.close()

    def draw(body, reference=PROTECTED, who="manager"):
        return http(f"/opportunities/{reference}/engineer-days", body, who)

    draw.decisions = decisions
    return draw


def test_ops_and_channel_managers_draw_engineer_days_against_the_protection(draws):
    by_ops = draws({"days": 2, "consumed_on": "2011-01-20", "note": "workshop"}, who="ops")
    assert by_ops.status_code == 201
    assert by_ops.get_json() == {
        "opportunity": PROTECTED,
        "partner_code": "antemeta",
        "decision_id": draws.decisions[f"antemeta@{PROTECTED}"],
        "days": 2,
        "days_left": 3,
        "days_granted": 5,
    }
    by_manager = draws({"days": 3, "consumed_on": "2011-01-21", "partner_code": "antemeta"})
    assert (by_manager.status_code, by_manager.get_json()["days_left"]) == (201, 0)


@pytest.mark.parametrize(
    ("body", "reference", "status", "named"),
    [
        ({"days": 1, "consumed_on": "2011-01-20"}, "no-such-deal", 404, "no opportunity"),
        ({"days": 6, "consumed_on": "2011-01-20"}, PROTECTED, 409, "engineer-days-within-grant"),
        ({"days": 0, "consumed_on": "2011-01-20"}, PROTECTED, 422, "days"),
        ({"days": -3, "consumed_on": "2011-01-20"}, PROTECTED, 422, "days"),
        ({"days": 1, "consumed_on": "2011-02-30"}, PROTECTED, 422, "consumed_on"),
        ({"days": 1}, PROTECTED, 422, "consumed_on"),
        (
            {"days": 1, "consumed_on": "2011-01-20", "partner_code": "bigcorp"},
            PROTECTED,
            409,
            "benefits-only-under-protection",
        ),
        # The protection lapsed on 2011-04-10, and its benefits with it.
        (
            {"days": 1, "consumed_on": "2011-05-01"},
            PROTECTED,
            409,
            "benefits-only-under-protection",
        ),
    ],
)
def test_a_refused_draw_is_a_problem_naming_it_and_writes_nothing(
    draws, settings, body, reference, status, named
):
    before = stored_count(settings)

    response = draws(body, reference=reference)

    assert (response.status_code, response.mimetype) == (status, "application/problem+json")
    problem = response.get_json()
    if status == 422:
        assert named in {p["name"] for p in problem["invalid-params"]}
    elif status == 409:
        assert problem["rule"] == named
    else:
        assert named in problem["detail"]
    assert stored_count(settings) == before


@pytest.mark.parametrize("who", ["auditor", "antemeta"])
def test_only_ops_and_channel_managers_draw_engineer_days(draws, settings, who):
    before = stored_count(settings)

    response = draws({"days": 1, "consumed_on": "2011-01-20"}, who=who)

    assert (response.status_code, stored_count(settings)) == (403, before)
