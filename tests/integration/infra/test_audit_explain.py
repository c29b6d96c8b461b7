"""`ledger audit explain ID`: recorded decisions re-derived from the store, on both stores."""

import json
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from domain.identity import event_id
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.pricing import Protection
from infra.audit.explain import DECISION_TOPICS, event_id_of_notification, explain, notifications
from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.history import (
    COMPETITOR,
    LAPSING,
    PROTECTED,
    RENEWAL,
    SPECIALIST,
    record_history,
)
from tests.builders.pipeline import publish_and_project

# The fixtures that give both stores also give each test a broker (and topics) of its own.
pytestmark = pytest.mark.kafka

DEALS = (PROTECTED, RENEWAL, LAPSING)


@pytest.fixture
def recorded(settings, ledger_cli):
    ledger = open_ledger(settings)
    try:
        record_history(ledger)
    finally:
        ledger.close()
    return ledger_cli


def explained(ledger_cli, decision_id: str) -> tuple[int, dict]:
    code, out, _ = ledger_cli("audit", "explain", decision_id, "--json")
    return code, json.loads(out)


def test_every_decision_quote_and_tier_change_the_projections_show_re_derives_and_agrees(
    recorded, settings
):
    ledger_cli = recorded
    ledger = open_ledger(settings)
    try:
        publish_and_project(settings, ledger)
    finally:
        ledger.close()
    shown = [json.loads(ledger_cli("deal", "history", deal, "--json")[1]) for deal in DEALS]
    ids = [d["decision_id"] for h in shown for d in h["decisions"]]
    ids += [q["quote_id"] for h in shown for q in h["quotes"]]
    ids += [t["event_id"] for t in json.loads(ledger_cli("partner", "tiers", "--json")[1])]

    found = [explained(ledger_cli, decision_id) for decision_id in ids]

    assert [(code, doc["agrees"], doc["disagreements"]) for code, doc in found] == [
        (0, True, [])
    ] * len(ids)
    assert {doc["event_type"] for _, doc in found} == {
        "opportunity.exclusivity-granted",
        "opportunity.exclusivity-denied",
        "opportunity.quote-issued",
        "partner.tier-changed",
    }
    # This history runs under 2010.1, which had no preferential quotes (the seed scenario,
    # under 2010.2, explains those: see the last test).
    assert {
        doc["recorded"]["protection"] for _, doc in found if "protection" in doc["recorded"]
    } == {p.value for p in Protection if not p.value.startswith("preferred")}
    assert {doc["recorded"].get("review") for _, doc in found} >= {"upgrade", "downgrade"}


def test_the_explanation_shows_both_outcomes_the_rules_and_the_evidence(recorded, settings):
    ledger = open_ledger(settings)
    try:
        opportunity = ledger.get_opportunity(PROTECTED)
        grant = opportunity.decisions[0].decision_id
        award = ledger.get_partner(SPECIALIST).specializations
    finally:
        ledger.close()
    code, out, _ = recorded("audit", "explain", str(grant))
    assert code == 0
    assert "opportunity.exclusivity-granted" in out
    assert "granted-first-qualified-registrant" in out
    for held in award.values():
        assert str(held.award_event_id) in out  # the specialization that qualified it
    assert "certification" in out
    assert "rules_version" in out
    assert "2010.1" in out
    assert out.rstrip().endswith("agrees: yes (rules 2010.1)")


def forge_grant_to_the_competitor(settings) -> str:
    """Record, through the application but past the rule, a grant the rules deny: the
    competitor is not specialized. Returns the forged decision's id."""
    ledger = open_ledger(settings)
    try:
        competitor = ledger.get_partner(COMPETITOR)
        opportunity = ledger.get_opportunity(RENEWAL)
        on = date(2011, 2, 1)
        opportunity._registered(competitor.id, Decimal(1), on, "none", True, on)
        registration = event_id(opportunity.id, opportunity.version)
        opportunity._exclusivity_granted(
            competitor.id,
            "granted-first-qualified-registrant",
            "2010.1",
            [registration],
            on,
            date(2011, 5, 2),
        )
        ledger.save(opportunity)
        return str(event_id(opportunity.id, opportunity.version))
    finally:
        ledger.close()


def test_a_grant_the_rules_would_have_denied_is_reported_as_a_disagreement(recorded, settings):
    forged = forge_grant_to_the_competitor(settings)
    code, document = explained(recorded, forged)
    assert code == 1
    assert document["agrees"] is False
    assert document["disagreements"] == ["outcome", "reason_code", "valid_until"]
    assert document["rederived"]["reason_code"] == "denied-not-specialized"
    code, out, _ = recorded("audit", "explain", forged)
    assert "agrees: NO, differs on outcome, reason_code, valid_until" in out


def test_a_tier_change_recorded_without_the_revenue_for_it_is_a_disagreement(recorded, settings):
    ledger = open_ledger(settings)
    try:
        competitor = ledger.get_partner(COMPETITOR)
        on = date(2012, 2, 1)
        competitor._tier_changed(
            competitor.tier, competitor.legacy_tier, on, "2010.1", Decimal(0), [], []
        )
        ledger.save(competitor)
        forged = str(event_id(competitor.id, competitor.version))
    finally:
        ledger.close()
    code, document = explained(recorded, forged)
    assert code == 1
    assert "to_tier" in document["disagreements"]


def test_a_win_is_explained_by_its_opportunity_and_agrees_on_its_qualified_flag(recorded):
    code, out, _ = recorded("audit", "explain", "--win", PROTECTED)
    assert code == 0
    assert "opportunity.won" in out
    assert out.rstrip().endswith("agrees: yes (rules 2010.1)")
    code, document = explained_win(recorded, PROTECTED)
    assert (code, document["kind"], document["recorded"]["qualified"]) == (0, "win", True)
    assert document["rederived"]["decision_id"] == document["recorded"]["decision_id"]


def explained_win(cli, reference: str) -> tuple[int, dict]:
    code, out, _ = cli("audit", "explain", "--win", reference, "--json")
    return code, json.loads(out)


def test_a_win_recorded_as_qualified_against_the_rule_is_a_disagreement(recorded, settings):
    ledger = open_ledger(settings)
    try:
        # The renewal was denied: its win cannot qualify, whatever the record says.
        opportunity = ledger.get_opportunity(RENEWAL)
        denial = opportunity.decisions[0].decision_id
        partner_id = opportunity.decisions[0].partner_id
        opportunity._won(partner_id, Decimal(1000), date(2011, 3, 1), True, denial)
        ledger.save(opportunity)
    finally:
        ledger.close()
    code, document = explained_win(recorded, RENEWAL)
    assert code == 1
    assert document["disagreements"] == ["qualified", "decision_id"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--win", LAPSING], f"win: no win of an opportunity {LAPSING!r}"),
        ([], "give either an event id or --win REFERENCE"),
    ],
)
def test_explaining_a_win_that_is_not_there_is_refused(recorded, argv, message):
    code, out, err = recorded("audit", "explain", *argv)
    assert (code, out) == (2, "")
    assert message in err


def explained_seed_scenario(tmp_path, topics: list[str]) -> list:
    """The seed scenario recorded on SQLite (no broker needed), each event of `topics` explained."""
    ledger = open_ledger(Settings.from_env({"LEDGER_DATA_DIR": str(tmp_path)}))
    try:
        run_seed_scenario(ledger)
        return [
            explain(ledger, UUID(event_id_of_notification(n)))
            for n in notifications(ledger, topics)
        ]
    finally:
        ledger.close()


def test_every_win_of_the_seed_scenario_re_derives_its_qualified_flag_and_agrees(tmp_path):
    wins = explained_seed_scenario(tmp_path, [get_topic(Opportunity.Won)])
    qualified = [w for w in wins if w.rederivation.checks[0].recorded]
    # Both kinds are there: wins on the winner's own registration, and wins that are not.
    assert 0 < len(qualified) < len(wins)
    assert [(w.decision_id, w.rederivation.disagreements) for w in wins if not w.agrees] == []


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("not-an-id", "id: 'not-an-id' is not an event id"),
        (
            "00000000-0000-0000-0000-000000000000",
            "id: no exclusivity decision, quote or tier change with id "
            "00000000-0000-0000-0000-000000000000 in the event store",
        ),
        # A real event, but an enrolment is not a decision.
        (
            str(event_id(Partner.create_id(SPECIALIST), 1)),
            "no exclusivity decision, quote or tier change with id",
        ),
    ],
    ids=["malformed", "unknown", "not-a-decision"],
)
def test_an_id_that_names_no_decision_is_refused_naming_the_problem(recorded, given, message):
    code, out, err = recorded("audit", "explain", given)
    assert (code, out) == (2, "")
    assert message in err


@pytest.mark.slow
def test_every_decision_of_the_seed_scenario_re_derives_and_agrees(tmp_path):
    # The whole seed scenario: 15 months, over 1,200 decisions.
    found = explained_seed_scenario(tmp_path, DECISION_TOPICS)
    assert {d.kind for d in found} == {
        "exclusivity decision",
        "quote",
        "tier change",
        "tier review",
        "benefits grant",
        "win",
        "suspected conflict",  # the seed's customers come back under new references
    }
    assert {d.event_type for d in found} >= {"opportunity.registered-non-exclusive"}
    assert [(d.decision_id, d.rederivation.disagreements) for d in found if not d.agrees] == []
