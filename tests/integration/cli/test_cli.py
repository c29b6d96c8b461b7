"""The `ledger` command line, end to end on a real broker and both stores."""

import json

import pytest

from cli.main import main
from tests.builders.pipeline import stored_count

pytestmark = pytest.mark.kafka


@pytest.fixture
def ledger_cli(env, settings, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> int:
        return main(list(argv))

    return run


ENROL = [
    "partner",
    "enroll",
    "antemeta",
    "--name",
    "Antemeta",
    "--legacy-tier",
    "gold",
    "--enrolled-on",
    "2010-11-02",
]
CERTIFY = [
    "partner",
    "certify",
    "antemeta",
    "--individual",
    "Claire Martin",
    "--kind",
    "sales",
    "--specialization",
    "data-protection",
    "--effective-on",
    "2010-11-15",
    "--expires-on",
    "2012-11-15",
]


def test_commands_flow_through_kafka_to_a_json_status(ledger_cli, capsys):
    assert ledger_cli(*ENROL) == 0
    assert ledger_cli(*CERTIFY) == 0
    assert ledger_cli("relay", "--once") == 0
    assert ledger_cli("project", "--once") == 0
    capsys.readouterr()

    assert ledger_cli("partner", "status", "antemeta", "--as-of", "2011-01-01", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["tier"] == "gold"
    assert status["active_sales_certifications"] == 1
    assert status["certified_specializations"] == ["data-protection"]
    assert status["certifications_by_specialization"] == {
        "data-protection": {"sales": 1, "technical": 0}
    }


def test_status_table_is_read_from_the_projection(ledger_cli, capsys):
    ledger_cli(*ENROL)
    capsys.readouterr()
    ledger_cli("partner", "status")
    assert "no partners projected yet" in capsys.readouterr().out
    ledger_cli("relay", "--once")
    ledger_cli("project", "--once")
    capsys.readouterr()
    ledger_cli("partner", "status")
    assert "antemeta" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--kind": "presales"}, "kind: Must be one of: sales, technical."),
        ({"--effective-on": "2010-02-30"}, "effective_on: Not a valid date."),
        ({"--expires-on": "2010-11-01"}, "expires_on: must be after effective_on"),
        ({"--specialization": "quantum"}, "specialization: Must be one of"),
    ],
)
def test_bad_certification_input_names_the_field_and_writes_nothing(
    ledger_cli, settings, capsys, change, message
):
    ledger_cli(*ENROL)
    argv = list(CERTIFY)
    for flag, value in change.items():
        argv[argv.index(flag) + 1] = value
    assert ledger_cli(*argv) == 2
    assert message in capsys.readouterr().err
    assert stored_count(settings) == 1


def test_unknown_partner_is_refused_and_nothing_is_written(ledger_cli, settings, capsys):
    argv = list(CERTIFY)
    argv[2] = "nobody"
    assert ledger_cli(*argv) == 1
    assert "no partner with code 'nobody' is enrolled" in capsys.readouterr().err
    assert stored_count(settings) == 0


def test_second_enrolment_of_a_code_is_refused(ledger_cli, settings, capsys):
    assert ledger_cli(*ENROL) == 0
    assert ledger_cli(*ENROL) == 1
    assert "already enrolled [rule: partner-enrolled-once]" in capsys.readouterr().err
    assert stored_count(settings) == 1


def test_missing_required_option_is_refused(ledger_cli, settings):
    with pytest.raises(SystemExit) as exited:
        ledger_cli("partner", "enroll", "antemeta", "--name", "Antemeta")
    assert exited.value.code == 2
    assert stored_count(settings) == 0


def test_malformed_as_of_date_is_named(ledger_cli, capsys):
    assert ledger_cli("partner", "status", "--as-of", "yesterday") == 2
    assert "as-of: 'yesterday' is not a date" in capsys.readouterr().err
