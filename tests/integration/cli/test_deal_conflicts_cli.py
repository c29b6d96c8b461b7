"""`ledger deal register` with a customer another open opportunity holds: held for review,
the registrant told so without the other opportunity; a bad company identifier refused; and
`ledger deal statement`, the registrant's own account of its registration."""

import json

import pytest

from cli.main import main
from infra.settings import Settings
from tests.builders.pipeline import stored_count


@pytest.fixture
def store_only(tmp_path, monkeypatch):
    """A SQLite store with rules and one enrolled partner; no broker is contacted."""
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    assert main(["rules", "publish"]) == 0
    enrol = ["partner", "enroll", "integra", "--name", "Integra", "--legacy-tier", "silver"]
    assert main([*enrol, "--enrolled-on", "2010-11-02"]) == 0
    return Settings.from_env()


def register(reference: str, customer: str, *extra: str) -> int:
    return main(
        [
            "deal",
            "register",
            reference,
            "--end-customer",
            customer,
            "--specialization",
            "data-protection",
            "--partner",
            "integra",
            "--value",
            "50000",
            "--expected-close",
            "2011-06-30",
            "--evidence",
            "workshop",
            "--registered-on",
            "2011-01-10",
            *extra,
        ]
    )


def test_a_second_reference_for_the_same_siren_is_held_for_review(store_only, capsys):
    assert register("dn-1", "Danone", "--company-id", "552 032 534") == 0
    assert capsys.readouterr().out.startswith("registered-not-exclusive until")

    assert register("dn-2", "Blédina SA", "--company-id", "FR27552032534") == 0

    out = capsys.readouterr().out
    assert out.startswith("review-conflict-suspected (waiting for a channel manager's review)")
    assert "dn-1" not in out


def test_an_invalid_company_identifier_is_refused_and_nothing_is_written(store_only, capsys):
    before = stored_count(store_only)

    assert register("dn-1", "Danone", "--company-id", "552032535") == 1

    err = capsys.readouterr().err
    assert "SIREN '552032535' fails its Luhn check digit [rule: company-identifier-valid]" in err
    assert stored_count(store_only) == before


def test_the_statement_says_what_counted_and_what_was_missing(store_only, capsys):
    assert register("dn-1", "Danone") == 0
    capsys.readouterr()

    assert main(["deal", "statement", "dn-1", "--partner", "integra"]) == 0

    out = capsys.readouterr().out
    assert "outcome: registered-not-exclusive, protected until" in out
    assert "  - one more sales certified individual in data-protection" in out
    assert "  - 2 more technical certified individuals in data-protection" in out
    assert "  - 0 sales certified individuals in data-protection" in out


def test_the_statement_as_json_and_before_the_decision(store_only, capsys):
    assert register("dn-1", "Danone") == 0
    capsys.readouterr()
    assert main(["deal", "statement", "dn-1", "--partner", "integra", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["outcome"], found["reason_code"]) == (
        "registered-not-exclusive",
        "registered-not-exclusive",
    )
    assert found["would_change"][-1] == (
        "the data-protection specialization awarded under a signed agreement"
    )

    before = ["deal", "statement", "dn-1", "--partner", "integra", "--as-of", "2011-01-09"]
    assert main(before) == 1
    assert "no registration of opportunity 'dn-1' by partner 'integra' decided on or before" in (
        capsys.readouterr().err
    )


def test_a_statement_for_a_blank_partner_or_a_bad_date_is_refused(store_only, capsys):
    assert main(["deal", "statement", "dn-1", "--partner", " "]) == 2
    assert "partner: give the registrant's partner code" in capsys.readouterr().err
    assert main(["deal", "statement", "dn-1", "--partner", "integra", "--as-of", "2011-13-01"]) == 2
    assert "as-of" in capsys.readouterr().err
