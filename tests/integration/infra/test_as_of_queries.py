"""`--as-of DATE` on partner and opportunity queries: answers from history, on both stores.

The history is recorded in dated phases; after each, it goes through Kafka into the live
projections and what the live queries answered that day is kept. Once everything is
recorded, the same queries `--as-of` each of those days must answer exactly that.
"""

import json
from dataclasses import asdict

import pytest

from cli.partner import read_statuses
from infra.audit.as_of import HistoryAsOf
from infra.bootstrap import open_projector, open_relay
from infra.store.event_store import open_ledger
from infra.store.urls import sqlalchemy_url
from projections.compare import differences
from projections.database import open_projection_db
from tests.builders.history import (
    COMPETITOR,
    LAPSING,
    PHASES,
    PROTECTED,
    SPECIALIST,
)

pytestmark = pytest.mark.kafka

DEALS = (PROTECTED, LAPSING)


def as_json(views) -> list:
    return json.loads(json.dumps([asdict(v) for v in views], default=str))


@pytest.fixture
def seen_live(settings, ledger_cli):
    """What the live projections answered at the end of each phase, by phase date."""
    seen = {}
    ledger = open_ledger(settings)
    relay = open_relay(settings, ledger)
    projector = open_projector(settings)
    try:
        for day, phase in PHASES:
            phase(ledger)
            relay.drain()
            projector.drain()
            seen[day] = {
                "status": as_json(read_statuses(settings, day, None)),
                "tiers": json.loads(ledger_cli("partner", "tiers", "--json")[1]),
                **{deal: history_json(ledger_cli, deal) for deal in DEALS},
            }
    finally:
        projector.close()
        relay.close()
        ledger.close()
    return seen


def history_json(ledger_cli, deal: str, *as_of: str) -> dict:
    code, out, _ = ledger_cli("deal", "history", deal, *as_of, "--json")
    # Before its registration the live projections do not know the deal at all.
    return json.loads(out) if code == 0 else {"decisions": [], "quotes": []}


def test_as_of_each_day_answers_what_the_live_projections_said_that_day(seen_live, ledger_cli):
    for day, live in seen_live.items():
        as_of = ("--as-of", day.isoformat())
        code, out, _ = ledger_cli("partner", "status", *as_of, "--json")
        assert code == 0
        assert json.loads(out) == live["status"], day
        assert json.loads(ledger_cli("partner", "tiers", *as_of, "--json")[1]) == live["tiers"], day
        for deal in DEALS:
            assert history_json(ledger_cli, deal, *as_of) == live[deal], (day, deal)


def tiers(seen_day: dict) -> dict[str, str]:
    return {status["code"]: status["tier"] for status in seen_day["status"]}


def protections(seen_day: dict) -> dict[str, int]:
    return {status["code"]: status["protected_opportunities"] for status in seen_day["status"]}


def test_the_answer_changes_across_a_grant_an_expiry_and_tier_changes(seen_live):
    founded, granted, quarter, reviewed, graced = seen_live.values()
    assert protections(founded)[SPECIALIST] == 0
    assert protections(granted)[SPECIALIST] == 1  # the protected deal
    assert protections(quarter)[SPECIALIST] == 1  # the deal was won, the lapsing one granted
    assert protections(reviewed)[SPECIALIST] == 0  # ... and it expired
    assert founded[PROTECTED]["decisions"] == []
    assert [d["outcome"] for d in granted[PROTECTED]["decisions"]] == ["granted", "denied"]
    assert tiers(quarter) == {SPECIALIST: "silver", COMPETITOR: "gold"}
    assert tiers(reviewed) == {SPECIALIST: "gold", COMPETITOR: "gold"}
    assert tiers(graced) == {SPECIALIST: "gold", COMPETITOR: "registered"}


def test_as_of_after_the_last_event_equals_the_live_projections_table_by_table(seen_live, settings):
    last_day = max(seen_live)
    live = open_projection_db(sqlalchemy_url(settings.projections_url))
    try:
        with HistoryAsOf(settings, last_day) as history, live.connect() as projected:
            assert differences(projected, history) == []
    finally:
        live.dispose()


@pytest.fixture
def recorded(settings, ledger_cli):
    ledger = open_ledger(settings)
    try:
        for _, phase in PHASES:
            phase(ledger)
    finally:
        ledger.close()
    return ledger_cli


def test_as_of_before_the_program_started_is_an_empty_answer(recorded):
    ledger_cli = recorded
    before = ("--as-of", "2010-10-01")
    assert ledger_cli("partner", "status", *before, "--json")[:2] == (0, "[]\n")
    assert ledger_cli("partner", "status", *before)[1] == "no partners enrolled as of 2010-10-01\n"
    # Asked about one partner the store knows but had not enrolled yet: one object, so null.
    assert ledger_cli("partner", "status", SPECIALIST, *before, "--json")[:2] == (0, "null\n")
    code, out, _ = ledger_cli("deal", "history", PROTECTED, *before, "--json")
    assert (code, json.loads(out)) == (0, {"decisions": [], "quotes": []})
    assert ledger_cli("decisions", *before)[1] == "no decisions\n"
    assert ledger_cli("deal", "expiring", "--within", "3650", *before, "--json")[1] == "[]\n"


def test_a_partner_or_deal_the_store_never_held_is_an_error_as_of_any_date(recorded):
    code, _, err = recorded("partner", "status", "nobody", "--as-of", "2011-06-01")
    assert (code, err) == (1, "error: no partner 'nobody' in the event store\n")
    code, _, err = recorded("deal", "history", "no-such-deal", "--as-of", "2011-06-01")
    assert (code, err) == (1, "error: no opportunity 'no-such-deal' in the event store\n")


@pytest.mark.parametrize(
    "argv",
    [
        ("partner", "status", "--as-of", "2011-02-30"),
        ("partner", "tiers", "--as-of", "June 2011"),
        ("deal", "history", PROTECTED, "--as-of", "2011-6-1x"),
        ("decisions", "--as-of", "1066-10-14"),
    ],
)
def test_a_malformed_as_of_date_is_named_and_refused(recorded, argv):
    code, _, err = recorded(*argv)
    assert code == 2
    assert "as-of: " in err


def test_expiring_as_of_a_past_date_counts_a_protection_that_ended_later(recorded):
    # The lapsing deal's protection ran from 2011-03-01 to 2011-05-30 and its end is recorded
    # now; on 2011-04-01 it was still in force and due to lapse within 90 days.
    code, out, _ = recorded("deal", "expiring", "--within", "90", "--as-of", "2011-04-01", "--json")
    assert code == 0
    assert [(d["opportunity"], d["valid_until"]) for d in json.loads(out)] == [
        (LAPSING, "2011-05-30")
    ]
