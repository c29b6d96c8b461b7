"""The ops dashboard in a real headless Chromium, over the seed scenario's projections.

The API is served by waitress on a free loopback port, as `ledger api serve` runs it; the
browser is the system's Chromium (Debian's `chromium`), driven by Playwright, which downloads
nothing. Every figure checked on the page is compared with what the stored events say, folded
by tests.fixtures.seed_golden, not with the projection queries that render the page.

Without Chromium or Playwright the tests skip, except where ``LEDGER_REQUIRE_BROWSER=1``
(CI): there a missing browser or Playwright is a failure. ``LEDGER_CHROMIUM`` names another
executable.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import waitress

from api.app import close_app, create_app
from infra.roles import Role
from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from infra.tokens import StaticTokens, TokenRecord, digest
from projections.database import open_projection_db
from projections.models.exclusivity_decisions import expiring_registrations
from projections.models.tier_reviews import tiers_at_risk
from tests.builders.api_world import make_tokens
from tests.builders.pipeline import publish_and_project
from tests.fixtures import required
from tests.fixtures.infrastructure import ledger_env
from tests.fixtures.seed_golden import Folded, fold, most_contested, stored_events

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

# A year and a week: decisions for a chart, and the first tier reviews after the transition
# (2011-11-01), which announce downgrades and find tiers held by transition plans.
SEED_DAYS = 372


def chromium_path() -> str:
    found = os.environ.get("LEDGER_CHROMIUM") or shutil.which("chromium")
    if not found:
        required.missing(
            "LEDGER_REQUIRE_BROWSER",
            "no Chromium: install Debian's `chromium` package or set LEDGER_CHROMIUM",
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    sync_api = required.module(
        "playwright.sync_api",
        "LEDGER_REQUIRE_BROWSER",
        "Playwright is not installed (it is in the dev extras: make install)",
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def seeded(kafka_bootstrap, tmp_path_factory) -> Settings:
    settings = Settings.from_env(ledger_env(kafka_bootstrap, tmp_path_factory.mktemp("dash")))
    ledger = open_ledger(settings)
    try:
        run_seed_scenario(ledger, seed=3, days=SEED_DAYS)
        publish_and_project(settings, ledger)
    finally:
        ledger.close()
    return settings


@pytest.fixture(scope="module")
def from_events(seeded) -> Folded:
    ledger = open_ledger(seeded)
    try:
        return fold(stored_events(ledger))
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def tokens(projections):
    """A token per role, and one for a partner whose tier is at risk (`at-risk-partner`)."""
    found, secrets = make_tokens()
    at_risk = tiers_at_risk(projections)[0].partner
    secrets = {**secrets, "at-risk-partner": "secret-at-risk-partner-token"}
    record = TokenRecord(
        "tok-at-risk",
        digest(secrets["at-risk-partner"]),
        Role.PARTNER,
        at_risk,
        datetime(2011, 1, 1, tzinfo=UTC),
    )
    return StaticTokens([*found.records(), record]), secrets


@pytest.fixture(scope="module")
def base_url(seeded, tokens) -> Iterator[str]:
    app = create_app(seeded, tokens[0])
    server: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.task_dispatcher.shutdown()
    server.close()
    thread.join(timeout=5)
    close_app(app)


@pytest.fixture(scope="module")
def projections(seeded):
    engine = open_projection_db(sqlalchemy_url(seeded.projections_url))
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page, base_url: str, token: str, path: str = "/dashboard") -> None:
    page.goto(base_url + path)
    page.fill("#token", token)
    page.click("button[type=submit] >> text=Sign in")


def cell_texts(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def test_the_dashboard_shows_partners_per_tier_as_the_events_say(
    page, base_url, tokens, from_events
):
    sign_in(page, base_url, tokens[1]["ops"])

    shown = {
        row.get_attribute("data-tier"): int(row.locator(".count").inner_text())
        for row in page.locator("#tiers tbody tr").all()
    }
    assert shown == dict(Counter(from_events.tiers.values()))
    assert sum(shown.values()) == 120


def test_the_chart_has_one_bar_per_month_with_the_decisions_taken(
    page, base_url, tokens, from_events
):
    sign_in(page, base_url, tokens[1]["ops"])

    days = [(date.fromisoformat(d["decided_on"]), d["outcome"]) for d in from_events.decisions]
    per_month = Counter((f"{d.year:04d}-{d.month:02d}", outcome) for d, outcome in days)
    first, last = min(d for d, _ in days), max(d for d, _ in days)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert months >= 3

    bars = page.locator("#decisions-chart g.month")
    assert bars.count() == months
    for bar in bars.all():
        month = bar.get_attribute("data-month")
        assert int(bar.get_attribute("data-granted")) == per_month[(month, "granted")]
        assert int(bar.get_attribute("data-denied")) == per_month[(month, "denied")]
        assert bar.locator("rect").count() == 2
    assert page.locator("#decisions-chart").is_visible()


def test_the_dashboard_shows_decisions_expiring_registrations_and_the_pipeline(
    page, base_url, tokens, projections, seeded, from_events
):
    sign_in(page, base_url, tokens[1]["ops"])

    as_of = max(date.fromisoformat(d["decided_on"]) for d in from_events.decisions)
    assert page.inner_text("#as-of") == str(as_of)
    counts = {
        (row.get_attribute("data-outcome"), row.get_attribute("data-reason")): int(
            row.locator(".count").inner_text()
        )
        for row in page.locator("#decision-counts tbody tr").all()
    }
    assert counts == Counter((d["outcome"], d["reason"]) for d in from_events.decisions)
    # Which registrations expire within 30 days is the protection rules' arithmetic over the
    # projection's validity columns; checked against the query here, and on its own in
    # tests/integration/infra/test_as_of_queries.py (`deal expiring`).
    expiring = expiring_registrations(projections, as_of, 30)
    shown = [
        r.get_attribute("data-opportunity")
        for r in page.locator("#expiring tbody tr[data-opportunity]").all()
    ]
    assert shown == [d.opportunity for d in expiring]
    ledger = open_ledger(seeded)
    stored = len(ledger.recorder.select_notifications(start=1, limit=1_000_000))
    ledger.close()
    assert page.inner_text("#events-stored") == str(stored)
    assert page.inner_text("#events-published") == str(stored)
    assert page.inner_text("#relay-lag") == "0"
    assert page.inner_text("#consumer-lag") == "0"
    assert page.inner_text("#dead-letters") == "0"
    assert page.inner_text("#kafka") == "up"


def test_an_opportunity_page_lists_its_decision_history(page, base_url, tokens, from_events):
    sign_in(page, base_url, tokens[1]["auditor"])
    page.click("#most-contested")

    reference = most_contested(from_events.decisions)
    assert page.inner_text("#reference") == reference
    history = [d for d in from_events.decisions if d["opportunity"] == reference]
    assert len(history) >= 2
    rows = page.locator("#decisions tr.decision")
    assert [r.get_attribute("data-decision-id") for r in rows.all()] == [
        d["decision_id"] for d in history
    ]
    assert cell_texts(page, "#decisions .partner") == [d["partner"] for d in history]
    assert cell_texts(page, "#decisions .outcome") == [d["outcome"] for d in history]
    assert cell_texts(page, "#decisions .reason") == [d["reason"] for d in history]
    assert page.locator("#quotes tr.quote").count() == from_events.quotes[reference]


def served(page, base_url: str, token: str, path: str) -> Any:
    response = page.request.get(base_url + path, headers={"Authorization": f"Bearer {token}"})
    assert response.ok, response.status
    return response.json()


def test_the_tiers_at_risk_panel_lists_what_the_api_serves(page, base_url, tokens):
    sign_in(page, base_url, tokens[1]["ops"])

    at_risk = served(page, base_url, tokens[1]["ops"], "/tiers-at-risk")
    assert {r["outcome"] for r in at_risk} == {"downgrade-pending", "held-by-plan"}
    columns = ("partner", "tier", "earned_tier", "outcome", "reviewed_on")
    columns += ("downgrade_due_on", "floor_tier")
    shown = [
        [row.locator("." + name.replace("_", "-")).inner_text() for name in columns]
        for row in page.locator("#tiers-at-risk tbody tr[data-partner]").all()
    ]
    assert shown == [[r[name] or "-" for name in columns] for r in at_risk]


def test_a_partner_sees_only_its_own_tier_at_risk_and_never_the_panel(page, base_url, tokens):
    (own,) = served(page, base_url, tokens[1]["at-risk-partner"], "/tiers-at-risk")
    everyone = served(page, base_url, tokens[1]["ops"], "/tiers-at-risk")
    assert own in everyone
    assert len(everyone) > 1

    sign_in(page, base_url, tokens[1]["at-risk-partner"])

    assert "may not see the dashboard" in page.inner_text("#login-error")
    assert page.locator("#tiers-at-risk").count() == 0


def test_a_partner_token_is_refused_and_gets_no_session(page, base_url, tokens):
    sign_in(page, base_url, tokens[1]["antemeta"])

    assert "may not see the dashboard" in page.inner_text("#login-error")
    assert page.context.cookies() == []
    page.goto(base_url + "/dashboard")
    assert page.url.startswith(base_url + "/dashboard/login")
    assert page.locator("#tiers").count() == 0


def test_signing_out_ends_the_session(page, base_url, tokens):
    sign_in(page, base_url, tokens[1]["ops"])
    assert page.locator("#tiers").count() == 1
    cookie = page.context.cookies()[0]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"

    page.click("text=Sign out")
    page.goto(base_url + "/dashboard")
    assert page.url.startswith(base_url + "/dashboard/login")


def test_the_page_runs_no_script(page, base_url, tokens):
    sign_in(page, base_url, tokens[1]["ops"])
    assert page.locator("script").count() == 0
    response = page.goto(base_url + "/dashboard")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert date.fromisoformat(page.inner_text("#as-of"))


def test_each_decision_links_to_the_statement_its_partner_is_given(
    page, base_url, tokens, from_events
):
    sign_in(page, base_url, tokens[1]["auditor"])
    page.click("#most-contested")
    reference = page.inner_text("#reference")
    partners = {d["partner"] for d in from_events.decisions if d["opportunity"] == reference}
    rows = page.locator("#decisions tr.decision")
    last = rows.nth(rows.count() - 1)
    partner = last.locator(".partner").inner_text().strip()
    last.locator("a.statement").click()

    path = f"/opportunities/{reference}/statement?partner={partner}"
    expected = served(page, base_url, tokens[1]["auditor"], path)
    assert page.inner_text("#partner") == partner
    assert page.inner_text("#outcome").startswith(expected["outcome"])
    assert cell_texts(page, "#counted li") == expected["counted"]
    assert cell_texts(page, "#would-change li") == expected["would_change"]
    shown = page.inner_text("main") if page.locator("main").count() else page.content()
    named = [other for other in partners - {partner} if other in shown]
    assert not named, f"the statement to {partner} names {named}"
