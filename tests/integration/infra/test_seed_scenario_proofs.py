"""The seed scenario through the relay, audited from the topics: every decision has an
inclusion proof that checks offline with the log's public key alone (and matches the published
JSON Schema), a tampered copy fails, and `explain --from-kafka` re-derives every decision
exactly as `explain` does from the event store."""

from __future__ import annotations

import base64
import json
from uuid import UUID

import orjson
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from cli.main import main
from contracts.documents.publish import PUBLISHED_DIR
from contracts.wire.proofs import check_proof
from infra.audit.explain import DECISION_TOPICS, event_id_of_notification, explain, notifications
from infra.audit.explain_output import explanation_document
from infra.audit.from_kafka import ledger_from_kafka
from infra.audit.proofs import read_log
from infra.audit.verify import Trust
from infra.log_keys import log_signer
from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.pipeline import relay_all
from tests.fixtures.infrastructure import ledger_env

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def seeded(kafka_bootstrap, tmp_path_factory):
    """Recorded and relayed once for the module: the seed scenario takes minutes here."""
    env = ledger_env(kafka_bootstrap, tmp_path_factory.mktemp("seeded"))
    settings = Settings.from_env(env)
    ledger = open_ledger(settings)
    try:
        run_seed_scenario(ledger)
        decisions = [
            UUID(event_id_of_notification(n)) for n in notifications(ledger, DECISION_TOPICS)
        ]
        relay_all(settings, ledger)
    finally:
        ledger.close()
    return env, settings, decisions


@pytest.fixture
def ledger(seeded, monkeypatch, capsys):
    env, _, _ = seeded
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_every_seed_decision_has_an_inclusion_proof_that_checks_offline(seeded):
    _, settings, decisions = seeded
    assert len(decisions) > 100, "the seed scenario takes hundreds of decisions"
    log = read_log(settings, Trust())
    key = log_signer(settings).verifier
    schema = Draft202012Validator(
        json.loads((PUBLISHED_DIR / "proof.v1.schema.json").read_text()),
        format_checker=FormatChecker(),
    )
    failed = []
    for decision in decisions:
        document = log.prove(decision)
        schema.validate(document)
        result = check_proof(json.loads(json.dumps(document)), [key])
        if not result.ok:
            failed.append((decision, result.detail))
    assert failed == []


def test_a_proof_of_a_tampered_decision_fails(seeded, ledger, tmp_path):
    _, settings, decisions = seeded
    proof = tmp_path / "decision.json"
    code, _, err = ledger("audit", "prove", str(decisions[0]), "--out", str(proof))
    assert code == 0, err
    key = log_signer(settings).verifier.encoded()
    assert ledger("audit", "check", str(proof), "--key", key)[0] == 0
    document = json.loads(proof.read_text())
    envelope = orjson.loads(base64.b64decode(document["event"]))
    envelope["payload"]["reason"] = "tampered"
    document["event"] = base64.b64encode(orjson.dumps(envelope)).decode()
    proof.write_text(json.dumps(document))
    code, out, _ = ledger("audit", "check", str(proof), "--key", key, "--json")
    assert code == 1
    assert json.loads(out)["ok"] is False


def test_explain_from_kafka_agrees_with_explain_on_every_seed_decision(seeded, ledger):
    _, settings, decisions = seeded
    from_topics = ledger_from_kafka(settings)
    store = open_ledger(settings)
    try:
        different = [
            decision
            for decision in decisions
            if explanation_document(explain(store, decision))
            != explanation_document(explain(from_topics, decision))
        ]
        agreeing = sum(explain(from_topics, decision).agrees for decision in decisions)
    finally:
        store.close()
        from_topics.close()
    assert different == []
    assert agreeing == len(decisions)
    # And through the command line, for one of them.
    code, out, err = ledger("audit", "explain", str(decisions[-1]), "--from-kafka", "--json")
    assert code == 0, err
    assert json.loads(out) == json.loads(
        ledger("audit", "explain", str(decisions[-1]), "--json")[1]
    )
