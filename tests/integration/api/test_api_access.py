"""Who may read what through the HTTP API, on projections built from the real broker.

A partner token must learn nothing about another partner's registrations or quotes through
any endpoint; the OpenAPI document lists the endpoints, so a new one is checked too.
"""

import re

import pytest

from domain.opportunity import Opportunity
from tests.builders.api_world import (
    AS_OF,
    BACKENDS,
    BIGCORP_DEAL,
    CONFLICTED,
    PROTECTED,
    bearer,
    world_for,
)

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, kafka_bootstrap, tmp_path_factory):
    return world_for(request, kafka_bootstrap, tmp_path_factory)


def get(client, world, who, path, **query):
    return client.get(path, query_string=query, headers=bearer(world, who))


def read_endpoints(client, code, reference):
    """Every GET endpoint of the OpenAPI document, its path filled in with these identifiers."""
    paths = client.get("/openapi.json").get_json()["paths"]
    filled = [
        path.replace("{code}", code).replace("{reference}", reference)
        for path, operations in paths.items()
        if "get" in operations
    ]
    assert len(filled) >= 7  # the document lists every read endpoint
    return filled


def test_openapi_document_is_public_and_declares_bearer_auth(client):
    document = client.get("/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "/commands/register-deal" in document["paths"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic b3BzOm9wcw=="}],
    ids=["no-token", "unknown-token", "not-bearer"],
)
def test_every_endpoint_refuses_requests_without_a_valid_token(client, headers):
    for path in read_endpoints(client, "antemeta", PROTECTED):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/commands/sweep", json={"as_of": AS_OF}, headers=headers).status_code == 401


def test_a_revoked_token_is_refused(client, world):
    response = get(client, world, "revoked", "/partners")
    assert response.status_code == 401
    assert "revoked" in response.get_json()["detail"]


def test_ops_reads_every_partner_and_full_histories(client, world):
    statuses = get(client, world, "ops", "/partners", as_of=AS_OF).get_json()
    assert [s["code"] for s in statuses] == ["antemeta", "bigcorp", "cloudco"]
    history = get(client, world, "ops", f"/opportunities/{PROTECTED}/history").get_json()
    assert [d["partner"] for d in history["decisions"]] == ["antemeta", "bigcorp"]
    assert [d["reason_code"] for d in history["decisions"]] == [
        "granted-first-qualified-registrant",
        "denied-already-protected",
    ]
    # Ops sees the evidence: the denial rests on antemeta's grant.
    assert (
        world.decision_ids[f"antemeta@{PROTECTED}"] in history["decisions"][1]["evidence_event_ids"]
    )
    assert {q["partner"] for q in history["quotes"]} == {"antemeta", "bigcorp"}


def test_status_filters_by_tier_and_specialization(client, world):
    specialized = get(
        client, world, "ops", "/partners", as_of=AS_OF, specialization="data-protection"
    ).get_json()
    assert [s["code"] for s in specialized] == ["antemeta", "bigcorp"]
    assert get(client, world, "ops", "/partners", as_of=AS_OF, tier="platinum").get_json() == []


def test_channel_manager_reads_but_ops_cannot_send_commands(client, world):
    assert get(client, world, "manager", "/decisions").status_code == 200
    response = client.post("/commands/sweep", json={"as_of": AS_OF}, headers=bearer(world, "ops"))
    assert response.status_code == 403
    assert response.get_json()["detail"] == "the ops role may not use this endpoint"


def test_dead_letters_are_for_ops_and_auditors(client, world):
    for who in ("ops", "auditor"):
        assert get(client, world, who, "/dead-letters").get_json() == {
            "count": 0,
            "dead_letters": [],
        }
    for who in ("manager", "antemeta"):
        assert get(client, world, who, "/dead-letters").status_code == 403


def test_auditor_sees_each_decision_with_evidence_and_rules_in_force(client, world):
    path = f"/audit/opportunities/{PROTECTED}/decisions"
    audited = get(client, world, "auditor", path).get_json()["decisions"]
    assert [d["rules_version"] for d in audited] == ["2010.2", "2010.2"]
    assert all(d["rules_in_force"]["version"] == "2010.2" for d in audited)
    assert world.decision_ids[f"antemeta@{PROTECTED}"] in audited[1]["evidence_event_ids"]
    for who in ("ops", "manager", "bigcorp"):
        assert get(client, world, who, path).status_code == 403


def test_partner_sees_only_its_own_status(client, world):
    assert [s["code"] for s in get(client, world, "bigcorp", "/partners").get_json()] == ["bigcorp"]
    assert get(client, world, "bigcorp", "/partners/bigcorp").status_code == 200


def test_another_partner_is_answered_exactly_like_a_missing_one(client, world):
    other = get(client, world, "cloudco", "/partners/antemeta")
    missing = get(client, world, "cloudco", "/partners/no-such-partner")
    assert other.status_code == missing.status_code == 404
    assert other.data == missing.data


def test_another_partners_opportunity_is_answered_exactly_like_a_missing_one(client, world):
    for path in (f"/opportunities/{PROTECTED}/history", f"/opportunities/{BIGCORP_DEAL}/history"):
        other = get(client, world, "cloudco", path)
        missing = get(client, world, "cloudco", "/opportunities/no-such-deal/history")
        assert other.status_code == missing.status_code == 404
        assert other.data == missing.data
    # antemeta never touched bigcorp's own deal either
    assert get(client, world, "antemeta", f"/opportunities/{BIGCORP_DEAL}/history").data == (
        get(client, world, "antemeta", "/opportunities/no-such-deal/history").data
    )


def test_a_denied_partner_sees_its_denial_and_quote_but_never_the_holder(client, world):
    history = get(client, world, "bigcorp", f"/opportunities/{PROTECTED}/history").get_json()
    (decision,) = history["decisions"]
    assert decision["partner"] == "bigcorp"
    assert decision["reason_code"] == "denied-already-protected"
    assert "evidence_event_ids" not in decision
    (quote,) = history["quotes"]
    assert quote["partner"] == "bigcorp"
    assert quote["protection"] == "protected-for-another"


def test_expiring_registrations_and_tier_changes_are_scoped_to_the_partner(client, world):
    mine = get(client, world, "bigcorp", "/registrations/expiring", as_of=AS_OF, within=3650)
    assert [d["opportunity"] for d in mine.get_json()] == [BIGCORP_DEAL]
    everyone = get(client, world, "ops", "/registrations/expiring", as_of=AS_OF, within=3650)
    assert {d["partner"] for d in everyone.get_json()} == {"antemeta", "bigcorp"}
    assert get(client, world, "bigcorp", "/tier-changes", partner="antemeta").get_json() == []


def test_notices_are_scoped_to_the_partner_they_are_for(client, world):
    mine = get(client, world, "antemeta", "/notices").get_json()
    assert [(n["kind"], n["subject"], n["days_before"]) for n in mine] == [
        ("protection-expiring", PROTECTED, 30)
    ]
    assert get(client, world, "antemeta", "/notices", partner="bigcorp").get_json() == []
    everyone = get(client, world, "ops", "/notices").get_json()
    assert {(n["partner"], n["subject"]) for n in everyone} == {
        ("antemeta", PROTECTED),
        ("bigcorp", BIGCORP_DEAL),
    }


def test_program_wide_decision_counts_are_not_for_partners(client, world):
    assert get(client, world, "bigcorp", "/decisions").status_code == 403


@pytest.mark.parametrize("who", ["cloudco", "bigcorp"])
def test_no_read_endpoint_names_another_partner_or_its_decisions(client, world, who):
    """Every GET endpoint, asked about antemeta and its protected deal, by another partner."""
    antemeta = [
        "antemeta",
        world.partner_ids["antemeta"],
        world.decision_ids[f"antemeta@{PROTECTED}"],
    ]
    if who == "cloudco":  # cloudco has no part in either deal
        antemeta += ["bigcorp", world.partner_ids["bigcorp"], BIGCORP_DEAL]
    else:  # nor has bigcorp in cloudco's deal under review
        antemeta += [world.partner_ids["cloudco"], CONFLICTED]
    for path in read_endpoints(client, "antemeta", PROTECTED):
        for query in ({}, {"as_of": AS_OF, "within": 3650, "partner": "antemeta"}):
            body = client.get(path, query_string=query, headers=bearer(world, who)).get_data(
                as_text=True
            )
            leaked = [word for word in antemeta if re.search(re.escape(word), body)]
            assert not leaked, f"{path} {query} told {who} about {leaked}: {body}"


def test_a_partner_held_for_review_sees_its_own_pending_decision_not_what_it_matched(client, world):
    history = get(client, world, "cloudco", f"/opportunities/{CONFLICTED}/history").get_json()
    (decision,) = history["decisions"]
    assert (decision["partner"], decision["outcome"], decision["reason_code"]) == (
        "cloudco",
        "pending",
        "review-conflict-suspected",
    )


def test_no_read_endpoint_tells_a_partner_held_for_review_which_opportunity_it_matched(
    client, world
):
    """Every GET endpoint, asked by cloudco about itself and its own suspected deal: neither
    the opportunity its customer matched nor its holder appears anywhere."""
    matched = [
        PROTECTED,
        str(Opportunity.create_id(PROTECTED)),
        "antemeta",
        world.partner_ids["antemeta"],
        world.decision_ids[f"antemeta@{PROTECTED}"],
        "name:acme",
    ]
    for path in read_endpoints(client, "cloudco", CONFLICTED):
        for query in ({}, {"as_of": AS_OF, "within": 3650, "partner": "cloudco"}):
            body = client.get(path, query_string=query, headers=bearer(world, "cloudco"))
            text = body.get_data(as_text=True)
            leaked = [word for word in matched if re.search(re.escape(word), text)]
            assert not leaked, f"{path} {query} told cloudco about {leaked}: {text}"


def test_channel_managers_see_the_review_naming_the_opportunity_it_matched(client, world):
    (review,) = get(client, world, "manager", "/reviews").get_json()

    assert (review["opportunity"], review["partner"], review["conflicting_reference"]) == (
        CONFLICTED,
        "cloudco",
        PROTECTED,
    )
    assert review["matched_keys"] == ["name:acme"]
    assert review["rule_reason_code"] == "registered-not-exclusive"
    assert get(client, world, "auditor", "/reviews").status_code == 200


@pytest.mark.parametrize("who", ["cloudco", "antemeta"])
def test_partners_may_not_read_the_reviews(client, world, who):
    assert get(client, world, who, "/reviews").status_code == 403


def test_a_denied_partners_statement_says_the_deal_was_protected_never_by_whom(client, world):
    response = get(client, world, "bigcorp", f"/opportunities/{PROTECTED}/statement")
    statement = response.get_json()
    assert (statement["partner"], statement["outcome"], statement["reason_code"]) == (
        "bigcorp",
        "denied",
        "denied-already-protected",
    )
    assert statement["rule"] == "the opportunity was already protected"
    assert statement["would_change"] == ["registering before the opportunity was protected"]
    assert "the data-protection specialization" in statement["counted"]
    assert "antemeta" not in response.get_data(as_text=True)


def test_a_partner_held_for_review_is_told_it_waits_for_a_channel_manager(client, world):
    statement = get(client, world, "cloudco", f"/opportunities/{CONFLICTED}/statement").get_json()
    assert (statement["outcome"], statement["rule"]) == (
        "pending",
        "waiting for a channel manager's review",
    )


def test_another_partners_statement_is_answered_exactly_like_a_missing_one(client, world):
    missing = get(client, world, "cloudco", "/opportunities/no-such-deal/statement")
    assert missing.status_code == 404
    for path, query in (
        (f"/opportunities/{PROTECTED}/statement", {}),
        (f"/opportunities/{BIGCORP_DEAL}/statement", {}),
        (f"/opportunities/{CONFLICTED}/statement", {"partner": "antemeta"}),
    ):
        other = get(client, world, "cloudco", path, **query)
        assert (other.status_code, other.data) == (404, missing.data)


def test_staff_read_any_partners_statement_by_naming_the_partner(client, world):
    path = f"/opportunities/{PROTECTED}/statement"
    for who in ("ops", "auditor", "manager"):
        statement = get(client, world, who, path, partner="antemeta").get_json()
        assert (statement["partner"], statement["outcome"]) == ("antemeta", "granted")
        assert statement["would_change"] == []
    unnamed = get(client, world, "ops", path)
    assert unnamed.status_code == 422
    assert unnamed.get_json()["detail"] == "partner: required for a staff token"


def test_a_statement_as_of_a_date_before_the_registration_is_missing(client, world):
    path = f"/opportunities/{PROTECTED}/statement"
    assert get(client, world, "antemeta", path, as_of="2010-11-02").status_code == 404
    bad = get(client, world, "antemeta", path, as_of="2011-02-30")
    assert bad.status_code == 422
    assert bad.get_json()["invalid-params"][0]["name"] == "as_of"
