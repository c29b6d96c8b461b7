"""Input the CLI refuses before touching anything, with a message that names the field."""

import pytest

from cli.main import main
from infra.settings import Settings
from tests.builders.pipeline import stored_count


@pytest.fixture
def store_only(tmp_path, monkeypatch):
    """A SQLite store and projections; no broker is contacted by these commands."""
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    assert main(["rules", "publish"]) == 0
    return Settings.from_env()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "partner",
                "enroll",
                "ab",
                "--name",
                "A",
                "--legacy-tier",
                "gold",
                "--enrolled-on",
                "0001-01-01",
            ],
            "enrolled_on: must be between 1990-01-01 and 2999-12-31",
        ),
        (
            [
                "deal",
                "register",
                "x-1",
                "--end-customer",
                "A",
                "--specialization",
                "data-protection",
                "--partner",
                "ab",
                "--value",
                "5",
                "--expected-close",
                "9999-12-31",
                "--registered-on",
                "9999-12-30",
            ],
            "registered_on: must be between 1990-01-01 and 2999-12-31",
        ),
        (
            ["deal", "quote", "x-1", "--partner", "ab", "--list-price", "1.005"],
            "list_price: must have at most 2 decimal places",
        ),
        (
            ["deal", "quote", "x-1", "--partner", "ab", "--list-price", "12345678901234567.89"],
            "list_price: must not exceed 1000000000000",
        ),
        (["deal", "win", "x-1", "--partner", "ab", "--amount", "-0.00"], "must not be negative"),
        (["sweep", "--as-of", "9999-12-31"], "as-of: must be between"),
        (["deal", "expiring", "--within", "99999999"], "within: must be between 0 and 3650"),
    ],
)
def test_out_of_range_input_is_refused_and_nothing_is_written(store_only, capsys, argv, message):
    before = stored_count(store_only)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert stored_count(store_only) == before


def test_history_of_an_unknown_opportunity_says_so(store_only, capsys):
    assert main(["deal", "history", "never-registered"]) == 1
    assert "no opportunity 'never-registered'" in capsys.readouterr().err
