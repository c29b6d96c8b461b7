"""The partner program through the `ledger` command line, Kafka and the projections."""

import io
import json
import sys
from pathlib import Path

import pytest

from infra.store.urls import sqlalchemy_url
from projections.database import open_projection_db
from projections.models.benefits import benefits_totals
from tests.builders.pipeline import stored_count

pytestmark = pytest.mark.kafka


def specialist(ledger_cli, code: str) -> None:
    ledger_cli(
        "partner",
        "enroll",
        code,
        "--name",
        code.title(),
        "--legacy-tier",
        "gold",
        "--enrolled-on",
        "2010-11-02",
    )
    for who, kind in (("ann", "sales"), ("bob", "technical"), ("cid", "technical")):
        assert (
            ledger_cli(
                "partner",
                "certify",
                code,
                "--individual",
                f"{who}-{code}",
                "--kind",
                kind,
                "--specialization",
                "data-protection",
                "--effective-on",
                "2010-11-10",
                "--expires-on",
                "2012-11-10",
            )[0]
            == 0
        )
    assert (
        ledger_cli(
            "partner",
            "specialize",
            code,
            "--specialization",
            "data-protection",
            "--contract",
            f"SPEC-{code}",
            "--awarded-on",
            "2010-11-15",
        )[0]
        == 0
    )


def register(ledger_cli, partner: str, day: str) -> tuple[int, str, str]:
    return ledger_cli(
        "deal",
        "register",
        "acme-backup",
        "--end-customer",
        "ACME",
        "--specialization",
        "data-protection",
        "--partner",
        partner,
        "--value",
        "120000",
        "--expected-close",
        "2011-03-31",
        "--evidence",
        "POC done",
        "--registered-on",
        day,
    )


@pytest.fixture
def protected_deal(ledger_cli):
    assert ledger_cli("rules", "publish")[0] == 0
    specialist(ledger_cli, "antemeta")
    specialist(ledger_cli, "rival")
    assert "granted-first-qualified-registrant" in register(ledger_cli, "antemeta", "2010-12-01")[1]
    assert "denied-already-protected" in register(ledger_cli, "rival", "2010-12-02")[1]
    return ledger_cli


def quote_acme_backup(ledger_cli, partner: str) -> tuple[int, str, str]:
    """`deal quote acme-backup` for `partner`, on the list price of 100,000, on 5 December."""
    return ledger_cli(
        "deal",
        "quote",
        "acme-backup",
        "--partner",
        partner,
        "--list-price",
        "100000",
        "--issued-on",
        "2010-12-05",
    )


def test_competitor_is_told_the_deal_is_protected_without_naming_the_holder(protected_deal):
    code, out, _ = quote_acme_backup(protected_deal, "rival")
    assert code == 0
    assert "protected by another partner" in out
    assert "antemeta" not in out.lower()


def test_specialist_holding_the_protection_is_quoted_lowest(protected_deal):
    _, holder, _ = quote_acme_backup(protected_deal, "antemeta")
    _, other, _ = quote_acme_backup(protected_deal, "rival")
    assert "net 65000.00" in holder
    assert "net 95000.00" in other


def test_decision_history_is_projected_from_kafka(protected_deal):
    quote_acme_backup(protected_deal, "antemeta")
    assert protected_deal("relay", "--once")[0] == 0
    assert protected_deal("project", "--once")[0] == 0

    code, out, _ = protected_deal("deal", "history", "acme-backup", "--json")
    assert code == 0
    history = json.loads(out)
    decisions = history["decisions"]
    assert [(d["partner"], d["outcome"], d["reason_code"]) for d in decisions] == [
        ("antemeta", "granted", "granted-first-qualified-registrant"),
        ("rival", "denied", "denied-already-protected"),
    ]
    assert all(d["rules_version"] == "2010.2" and d["evidence_event_ids"] for d in decisions)
    assert decisions[0]["valid_until"] == "2011-03-01"
    assert history["quotes"][0]["net_price"] == "65000.00"


def test_partner_status_shows_specializations_and_protections(protected_deal):
    protected_deal("relay", "--once")
    protected_deal("project", "--once")
    _, out, _ = protected_deal("partner", "status", "antemeta", "--as-of", "2011-01-01", "--json")
    status = json.loads(out)
    assert status["specializations"] == ["data-protection"]
    assert status["protected_opportunities"] == 1
    assert status["in_transition"] is True


def test_win_by_the_holder_counts_as_qualified_revenue(protected_deal):
    _, out, _ = protected_deal(
        "deal",
        "win",
        "acme-backup",
        "--partner",
        "antemeta",
        "--amount",
        "110000",
        "--won-on",
        "2011-02-01",
    )
    assert "qualified (incremental)" in out
    protected_deal("relay", "--once")
    protected_deal("project", "--once")
    _, out, _ = protected_deal("partner", "status", "antemeta", "--as-of", "2011-06-01", "--json")
    assert json.loads(out)["qualified_revenue"] == "110000.00"


def test_sweep_json_is_one_report_object(protected_deal):
    code, out, _ = protected_deal("sweep", "--as-of", "2011-03-02", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["protections_expired"] == 1  # the grant was valid until 2011-03-01
    assert set(report) >= {"certifications_expired", "tier_reviews", "tier_changes"}


def test_expiring_registrations_are_listed(protected_deal):
    protected_deal("relay", "--once")
    protected_deal("project", "--once")
    _, out, _ = protected_deal(
        "deal", "expiring", "--within", "30", "--as-of", "2011-02-15", "--json"
    )
    assert [d["opportunity"] for d in json.loads(out)] == ["acme-backup"]
    _, out, _ = protected_deal(
        "deal", "expiring", "--within", "5", "--as-of", "2011-02-15", "--json"
    )
    assert json.loads(out) == []


def test_a_second_reference_for_the_customer_waits_in_the_channel_managers_reviews(
    protected_deal,
):
    code, out, _ = protected_deal(
        "deal",
        "register",
        "acme-backup-bis",
        "--end-customer",
        "Acme S.A.",
        "--specialization",
        "data-protection",
        "--partner",
        "rival",
        "--value",
        "90000",
        "--expected-close",
        "2011-03-31",
        "--evidence",
        "workshop",
        "--registered-on",
        "2010-12-03",
    )
    assert code == 0
    assert out.startswith("review-conflict-suspected")
    assert "acme-backup " not in out  # the registrant is not told what it matched
    protected_deal("relay", "--once")
    protected_deal("project", "--once")

    _, out, _ = protected_deal("deal", "reviews", "--json")

    (review,) = json.loads(out)
    assert (review["opportunity"], review["partner"], review["conflicting_reference"]) == (
        "acme-backup-bis",
        "rival",
        "acme-backup",
    )
    assert review["rule_reason_code"] == "granted-first-qualified-registrant"
    _, history, _ = protected_deal("deal", "history", "acme-backup-bis", "--json")
    (decision,) = json.loads(history)["decisions"]
    assert (decision["outcome"], decision["reason_code"]) == (
        "pending",
        "review-conflict-suspected",
    )


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--value", "-5", "estimated_value: must not be negative"),
        ("--specialization", "quantum", "specialization: Must be one of"),
        ("--expected-close", "2010-01-01", "expected_close: must not be before registered_on"),
        ("--registered-on", "2010-13-01", "registered_on: Not a valid date."),
    ],
)
def test_bad_registration_names_the_field_and_writes_nothing(
    protected_deal, settings, flag, value, message
):
    before = stored_count(settings)
    argv = [
        "deal",
        "register",
        "other-deal",
        "--end-customer",
        "ACME",
        "--specialization",
        "data-protection",
        "--partner",
        "antemeta",
        "--value",
        "1000",
        "--expected-close",
        "2011-03-31",
        "--evidence",
        "x",
        "--registered-on",
        "2010-12-01",
    ]
    argv[argv.index(flag) + 1] = value
    code, _, err = protected_deal(*argv)
    assert code == 2
    assert message in err
    assert stored_count(settings) == before


def test_unknown_partner_registration_is_refused(protected_deal, settings):
    before = stored_count(settings)
    code, _, err = register(protected_deal, "nobody", "2010-12-03")
    assert code == 1
    assert "no partner with code 'nobody'" in err
    assert stored_count(settings) == before


def test_invalid_rules_file_is_rejected_naming_the_field(ledger_cli, tmp_path, settings):
    bad = tmp_path / "rules.json"
    bad.write_text(json.dumps({"version": "x"}))
    code, _, err = ledger_cli("rules", "publish", str(bad))
    assert code == 2
    assert "tiers" in err
    assert stored_count(settings) == 0


def test_simulating_the_default_rules_on_the_recorded_history_changes_nothing(protected_deal):
    code, out, _ = protected_deal("rules", "simulate", "domain/default_rules.json")

    assert code == 0
    assert "2010.2 from 2010-11-01: 0 partners would differ" in out


def test_simulate_dash_reads_the_proposal_from_stdin(protected_deal, monkeypatch):
    piped = Path("domain/default_rules.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(piped), encoding="utf-8"))
    code, out, _ = protected_deal("rules", "simulate", "-")

    assert code == 0
    assert "2010.2 from 2010-11-01: 0 partners would differ" in out


def test_simulation_of_changed_rules_reports_per_partner_and_records_nothing(
    protected_deal, tmp_path, settings
):
    proposal = json.loads(Path("domain/default_rules.json").read_text(encoding="utf-8"))
    proposal["version"] = "2010.2-no-benefits"
    proposal["presales_engineer_days"] = 0
    proposal["extended_support"] = False
    path = tmp_path / "proposal.json"
    path.write_text(json.dumps(proposal))
    before = stored_count(settings)

    code, out, _ = protected_deal("rules", "simulate", str(path), "--json")

    assert code == 0
    found = json.loads(out)
    assert found["rules_version"] == "2010.2-no-benefits"
    assert found["diff"] == []  # benefits change no tier, grant, revenue or margin
    assert found["totals_today"]["grants"] == found["totals_simulated"]["grants"] == 1
    assert stored_count(settings) == before


def test_simulating_an_invalid_rules_file_names_the_field_and_records_nothing(
    protected_deal, tmp_path, settings
):
    bad = tmp_path / "rules.json"
    bad.write_text(json.dumps({"version": "x"}))
    before = stored_count(settings)

    code, _, err = protected_deal("rules", "simulate", str(bad))

    assert code == 2
    assert "tiers" in err
    assert stored_count(settings) == before


def test_simulating_from_a_date_that_is_not_one_is_refused(protected_deal):
    code, _, err = protected_deal(
        "rules", "simulate", "domain/default_rules.json", "--from", "soon"
    )

    assert code == 2
    assert "from" in err


def draw_days(ledger_cli, *argv: str) -> tuple[int, str, str]:
    return ledger_cli("deal", "draw-days", *argv)


def test_the_holder_draws_engineer_days_and_the_projection_counts_them(protected_deal, settings):
    code, out, _ = draw_days(protected_deal, "acme-backup", "2", "--on", "2010-12-10")
    assert code == 0
    assert "2 engineer days drawn on acme-backup by antemeta: 3 of 5 left" in out

    code, out, _ = draw_days(
        protected_deal, "acme-backup", "3", "--on", "2010-12-11", "--partner", "antemeta", "--json"
    )
    assert code == 0
    drawn = json.loads(out)
    assert (drawn["partner_code"], drawn["days_left"], drawn["days_granted"]) == ("antemeta", 0, 5)

    protected_deal("relay", "--once")
    protected_deal("project", "--once")
    engine = open_projection_db(sqlalchemy_url(settings.projections_url))
    try:
        with engine.connect() as connection:
            totals = benefits_totals(connection)
    finally:
        engine.dispose()
    assert (totals.grants, totals.engineer_days, totals.engineer_days_used) == (1, 5, 5)


@pytest.mark.parametrize(
    ("argv", "exit_code", "message"),
    [
        (["no-such-deal", "1", "--on", "2010-12-10"], 1, "no opportunity 'no-such-deal'"),
        (["acme-backup", "6", "--on", "2010-12-10"], 1, "6 engineer days asked, 5 left of 5"),
        (["acme-backup", "0", "--on", "2010-12-10"], 2, "days: must be between 1 and 365"),
        (["acme-backup", "-2", "--on", "2010-12-10"], 2, "days: must be between 1 and 365"),
        (["acme-backup", "two", "--on", "2010-12-10"], 2, "days: Not a valid integer."),
        (["acme-backup", "1", "--on", "2010-12-32"], 2, "consumed_on: Not a valid date."),
        (
            ["acme-backup", "1", "--on", "2010-12-10", "--partner", "rival"],
            1,
            "reserved to the partner protected on the opportunity",
        ),
        # The protection lapsed on 2011-03-01, and its benefits with it.
        (["acme-backup", "1", "--on", "2011-03-02"], 1, "no protection in force"),
    ],
)
def test_a_refused_draw_names_the_problem_and_writes_nothing(
    protected_deal, settings, argv, exit_code, message
):
    before = stored_count(settings)

    code, _, err = draw_days(protected_deal, *argv)

    assert (code, stored_count(settings)) == (exit_code, before)
    assert message in err
