"""Pages, entity tags and locations over the real API, on projections built from the real broker,
on both backends: lists link their pages with an RFC 8288 Link header, a read's ETag follows the
projector's stored positions (304 while nothing was projected, a new tag once something was),
and a 201 says where the new record is read."""

from __future__ import annotations

import re

import pytest

from infra.store.event_store import open_ledger
from tests.builders.api_world import AS_OF, BACKENDS, PROTECTED, bearer, world_for
from tests.builders.pipeline import publish_and_project

pytestmark = pytest.mark.kafka

LINK = re.compile(r'<([^>]+)>; rel="([a-z]+)"')


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, kafka_bootstrap, tmp_path_factory):
    return world_for(request, kafka_bootstrap, tmp_path_factory)


def get(client, world, who, path, headers=(), **query):
    return client.get(path, query_string=query, headers={**bearer(world, who), **dict(headers)})


def links(response):
    return {rel: target for target, rel in LINK.findall(response.headers["Link"])}


def test_a_list_is_served_in_pages_linked_by_the_link_header(client, world):
    whole = get(client, world, "ops", "/partners", as_of=AS_OF).get_json()
    first = get(client, world, "ops", "/partners", as_of=AS_OF, per_page=2)
    assert first.get_json() == whole[:2]
    assert links(first) == {
        "first": f"/partners?as_of={AS_OF}&per_page=2&page=1",
        "next": f"/partners?as_of={AS_OF}&per_page=2&page=2",
        "last": f"/partners?as_of={AS_OF}&per_page=2&page=2",
    }
    second = client.get(links(first)["next"], headers=bearer(world, "ops"))
    assert second.get_json() == whole[2:]
    assert set(links(second)) == {"first", "prev", "last"}


def test_a_single_page_links_itself_as_first_and_last(client, world):
    response = get(client, world, "ops", "/decisions")
    assert response.status_code == 200
    assert links(response) == {"first": "/decisions?page=1", "last": "/decisions?page=1"}


def test_a_page_past_the_last_is_empty(client, world):
    response = get(client, world, "ops", "/partners", as_of=AS_OF, page=9, per_page=2)
    assert response.get_json() == []
    assert links(response)["prev"].endswith("page=2")


@pytest.mark.parametrize("query", [{"per_page": 0}, {"per_page": 1001}, {"page": 0}])
def test_a_page_out_of_bounds_is_refused_by_name(client, world, query):
    response = get(client, world, "ops", "/partners", **query)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [p["name"] for p in response.get_json()["invalid-params"]] == list(query)


def test_dead_letters_count_them_all_and_list_one_page(client, world):
    response = get(client, world, "ops", "/dead-letters", per_page=1)
    assert response.get_json() == {"count": 0, "dead_letters": []}
    assert "Link" in response.headers


def test_a_read_repeated_with_its_etag_is_not_modified(client, world):
    first = get(client, world, "ops", "/partners", as_of=AS_OF)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first.headers["Vary"]
    again = get(client, world, "ops", "/partners", {"If-None-Match": etag}, as_of=AS_OF)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = get(client, world, "ops", "/partners", {"If-None-Match": '"other"'}, as_of=AS_OF)
    assert other.status_code == 200
    assert other.get_json() == first.get_json()


def test_the_etag_differs_by_caller_and_by_request(client, world):
    ops = get(client, world, "ops", "/partners", as_of=AS_OF).headers["ETag"]
    partner = get(client, world, "bigcorp", "/partners", as_of=AS_OF).headers["ETag"]
    paged = get(client, world, "ops", "/partners", as_of=AS_OF, per_page=1).headers["ETag"]
    assert len({ops, partner, paged}) == 3
    # A partner's tag never makes another's answer a 304: it gets its own list.
    mine = get(client, world, "bigcorp", "/partners", {"If-None-Match": ops}, as_of=AS_OF)
    assert mine.status_code == 200
    assert [p["code"] for p in mine.get_json()] == ["bigcorp"]


def test_a_refusal_carries_no_etag_and_is_never_a_304(client, world):
    tagged = get(client, world, "antemeta", "/partners/antemeta", as_of=AS_OF).headers["ETag"]
    hidden = get(
        client, world, "bigcorp", "/partners/antemeta", {"If-None-Match": tagged}, as_of=AS_OF
    )
    assert hidden.status_code == 404
    assert "ETag" not in hidden.headers
    forbidden = get(client, world, "bigcorp", "/decisions", {"If-None-Match": "*"})
    assert forbidden.status_code == 403


def test_a_command_answers_where_it_is_read_and_a_projection_changes_the_etag(client, world):
    before = get(client, world, "ops", "/partners", as_of=AS_OF)
    enrolled = client.post(
        "/commands/enroll-partner",
        json={"code": "dynamo", "name": "Dynamo", "legacy_tier": "silver", "enrolled_on": AS_OF},
        headers=bearer(world, "manager"),
    )
    assert enrolled.status_code == 201
    assert enrolled.headers["Location"] == "/partners/dynamo"
    # Recorded, not yet projected: the projections, and so the tag, are as they were.
    unchanged = get(
        client, world, "ops", "/partners", {"If-None-Match": before.headers["ETag"]}, as_of=AS_OF
    )
    assert unchanged.status_code == 304
    ledger = open_ledger(world.settings)
    try:
        publish_and_project(world.settings, ledger)
    finally:
        ledger.close()
    after = get(
        client, world, "ops", "/partners", {"If-None-Match": before.headers["ETag"]}, as_of=AS_OF
    )
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "dynamo" in [p["code"] for p in after.get_json()]
    located = client.get(enrolled.headers["Location"], headers=bearer(world, "ops"))
    assert located.get_json()["code"] == "dynamo"


def test_a_quote_answers_with_its_opportunity_history(client, world):
    quoted = client.post(
        "/commands/issue-quote",
        json={
            "opportunity": PROTECTED,
            "partner_code": "antemeta",
            "list_price": "5000",
            "issued_on": "2011-01-20",
        },
        headers=bearer(world, "manager"),
    )
    assert quoted.status_code == 201
    assert quoted.headers["Location"] == f"/opportunities/{PROTECTED}/history"
