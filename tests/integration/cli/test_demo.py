"""`ledger demo`: the seed scenario through Kafka, summarised from the projections."""

import json
import re

import pytest

from cli.main import main
from tests.fixtures.infrastructure import ledger_env
from tests.fixtures.seed_golden import pinned

pytestmark = pytest.mark.kafka


@pytest.fixture
def demo_env(kafka_bootstrap, tmp_path, monkeypatch):
    for name, value in ledger_env(kafka_bootstrap, tmp_path).items():
        monkeypatch.setenv(name, value)


def test_demo_summarises_the_seed_scenario_from_the_projections(demo_env, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for heading in (
        "== Partners per tier",
        "== Specialized partners per specialization",
        "== Exclusivity decisions by outcome and reason ==",
        "== Decision history of opportunity",
        "== Legacy partners on a transition plan",
        "== What if Silver asked half the qualified revenue and no certified people?",
    ):
        assert heading in out
    assert "at enrolment" in out
    assert "legacy metal partners still metal" in out
    assert "granted-first-qualified-registrant" in out
    assert "denied-already-protected" in out
    assert "antemeta" in out
    assert main(["partner", "status", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 120


def section_rows(out: str, heading: str) -> list[list[str]]:
    """The rows of the table printed under the section whose heading starts with `heading`."""
    lines = out.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(f"== {heading}"))
    columns = len(re.split(r"\s{2,}", lines[start + 1].strip()))
    rows = []
    for line in lines[start + 3 :]:  # past the heading, the column names and the dashes
        row = re.split(r"\s{2,}", line.strip())
        if not line.strip() or len(row) != columns:  # the table ends at a blank or a prose line
            break
        rows.append(row)
    return rows


def test_demo_shows_the_golden_figures_of_the_default_seed(demo_env, capsys):
    """Against tests/fixtures/seed_golden.json, folded from the events, not from the
    projections' queries (regenerate it with `make seed-golden` when the scenario changes)."""
    golden = pinned()
    assert main(["demo"]) == 0
    out = capsys.readouterr().out

    rows = section_rows(out, "Partners per tier")
    # The golden counts name only the tiers someone holds at the end.
    tiers = {tier: int(now) for tier, _, now in rows if int(now)}
    assert tiers == golden["partners_per_tier"]
    decisions = {
        f"{outcome} {reason}": int(count)
        for outcome, reason, count in section_rows(out, "Exclusivity decisions by outcome")
    }
    assert decisions == golden["decisions_by_outcome_and_reason"]
    contested = golden["contested_opportunity"]
    history = section_rows(out, f"Decision history of opportunity {contested['reference']}")
    assert [(row[5], row[1], row[2], row[3]) for row in history] == [
        (d["decided_on"], d["partner"], d["outcome"], d["reason"]) for d in contested["decisions"]
    ]
    pending = golden["decisions_by_outcome_and_reason"]["pending review-conflict-suspected"]
    assert f"waiting for a channel manager ({pending} suspected conflicts" in out
    reviews = section_rows(out, "Registrations waiting for a channel manager")
    assert len(reviews) == min(pending, 5)
    # Each names the other opportunity its customer matched, and on which key.
    assert all(row[3].startswith("OPP-") and row[4].startswith("name:") for row in reviews)


def test_second_demo_run_records_nothing_new(demo_env, capsys):
    main(["demo"])
    capsys.readouterr()
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "already holds a history" in out
    assert "relay published 0 events" in out
