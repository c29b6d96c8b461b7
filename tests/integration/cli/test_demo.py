"""`ledger demo`: the seed scenario through Kafka, summarised from the projections."""

import json

import pytest

from cli.main import main
from tests.fixtures.infrastructure import ledger_env

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


def test_second_demo_run_records_nothing_new(demo_env, capsys):
    main(["demo"])
    capsys.readouterr()
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "already holds a history" in out
    assert "relay published 0 events" in out
