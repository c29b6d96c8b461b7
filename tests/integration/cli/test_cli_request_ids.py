"""`--request-id` and `--json` on the write commands, on both stores: a retried id prints the
first answer and records nothing, the same id with other arguments is refused, and `--json`
prints what was recorded as the HTTP API answers it."""

from __future__ import annotations

import json

import pytest

from tests.builders.pipeline import stored_count

pytestmark = pytest.mark.kafka

ENROL = ["partner", "enroll", "antemeta", "--name", "Antemeta", "--legacy-tier", "gold"]
ENROL += ["--enrolled-on", "2010-11-02"]
REGISTER = ["deal", "register", "acme-backup-2011", "--end-customer", "ACME"]
REGISTER += ["--specialization", "data-protection", "--partner", "antemeta", "--value", "120000"]
REGISTER += ["--expected-close", "2011-03-31", "--evidence", "POC done"]
REGISTER += ["--registered-on", "2011-01-10"]
QUOTE = ["deal", "quote", "acme-backup-2011", "--partner", "antemeta", "--list-price", "1000"]
QUOTE += ["--issued-on", "2011-01-11"]


@pytest.fixture
def program(ledger_cli):
    assert ledger_cli("rules", "publish")[0] == 0
    assert ledger_cli(*ENROL)[0] == 0


def test_json_on_a_registration_prints_the_decision(ledger_cli, program):
    code, out, _ = ledger_cli(*REGISTER, "--json")
    decision = json.loads(out)
    assert code == 0
    assert decision["outcome"] == "registered-not-exclusive"
    assert set(decision) == {
        "opportunity_id",
        "decision_id",
        "outcome",
        "reason_code",
        "rules_version",
        "valid_until",
    }


def test_json_on_a_quote_prints_the_quote(ledger_cli, program):
    ledger_cli(*REGISTER)
    code, out, _ = ledger_cli(*QUOTE, "--json")
    quote = json.loads(out)
    assert code == 0
    assert (quote["list_price"], quote["protection"]) == ("1000", "preferred")


def test_json_on_a_command_without_a_result_prints_what_it_recorded(ledger_cli, program):
    code, out, _ = ledger_cli(
        *["partner", "certify", "antemeta", "--individual", "Claire Martin", "--kind", "sales"],
        *["--specialization", "data-protection", "--effective-on", "2010-11-15"],
        *["--expires-on", "2012-11-15", "--json"],
    )
    assert code == 0
    assert json.loads(out) == {
        "partner_code": "antemeta",
        "individual": "Claire Martin",
        "kind": "sales",
        "specialization": "data-protection",
        "effective_on": "2010-11-15",
        "expires_on": "2012-11-15",
    }


def test_a_retried_request_id_prints_the_first_answer_and_records_nothing(
    ledger_cli, settings, program
):
    _, first, _ = ledger_cli(*REGISTER, "--request-id", "reg-1", "--json")
    recorded = stored_count(settings)

    code, again, err = ledger_cli(*REGISTER, "--request-id", "reg-1", "--json")

    assert code == 0
    assert again == first
    assert "request reg-1 was already recorded; nothing new recorded" in err
    assert stored_count(settings) == recorded


def test_a_request_id_with_other_arguments_is_refused_and_records_nothing(
    ledger_cli, settings, program
):
    ledger_cli(*REGISTER, "--request-id", "reg-2")
    recorded = stored_count(settings)

    code, _, err = ledger_cli(*REGISTER[:-1], "2011-01-12", "--request-id", "reg-2")

    assert code == 1
    assert "[rule: request-key-names-one-request]" in err
    assert stored_count(settings) == recorded


def test_a_sweep_keeps_its_request_id_even_when_nothing_was_due(ledger_cli, settings, program):
    _, first, _ = ledger_cli("sweep", "--as-of", "2010-11-03", "--request-id", "s-1")
    recorded = stored_count(settings)
    code, again, err = ledger_cli("sweep", "--as-of", "2010-11-03", "--request-id", "s-1")
    assert (code, again) == (0, first)
    assert "already recorded" in err
    assert stored_count(settings) == recorded


@pytest.mark.parametrize(
    ("request_id", "reason"),
    [("", "must not be empty"), ("x" * 256, "must be at most 255 characters (got 256)")],
    ids=["empty", "too long"],
)
def test_a_malformed_request_id_is_invalid_input_and_records_nothing(
    ledger_cli, settings, request_id, reason
):
    code, _, err = ledger_cli(*ENROL, "--request-id", request_id)
    assert code == 2
    assert f"request-id: {reason}" in err
    assert stored_count(settings) == 0
