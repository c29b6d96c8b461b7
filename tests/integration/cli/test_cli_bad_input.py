"""Input the CLI refuses before touching anything, with a message that names the field."""

import io
import json
import sys

import pytest

from cli.main import main
from contracts.inputs.rules_schema import DEFAULT_RULES_FILE
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


def piped(monkeypatch, document: bytes) -> None:
    """`... | ledger ...`: the command's standard input is these bytes."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(document), encoding="utf-8"))


def test_rules_publish_dash_reads_the_document_from_stdin(store_only, monkeypatch, capsys):
    document = json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    document["version"] = "2010.2-piped"
    piped(monkeypatch, json.dumps(document).encode())
    before = stored_count(store_only)
    assert main(["rules", "publish", "-"]) == 0
    assert "published rules 2010.2-piped" in capsys.readouterr().out
    assert stored_count(store_only) == before + 1


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b'{"version": "x"}', "tiers: Missing data for required field."),
        (b'{"version": "x", "version": "y"}', "version: appears twice"),
        (b"{not json", "invalid JSON at line 1"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_a_bad_rules_document_on_stdin_is_refused_like_a_file_and_writes_nothing(
    store_only, monkeypatch, capsys, tmp_path, document, message
):
    before = stored_count(store_only)
    as_file = tmp_path / "rules.json"
    as_file.write_bytes(document)
    assert main(["rules", "publish", str(as_file)]) == 2
    from_file = capsys.readouterr().err
    piped(monkeypatch, document)
    assert main(["rules", "publish", "-"]) == 2
    from_stdin = capsys.readouterr().err
    assert message in from_stdin
    assert from_stdin.startswith("error: invalid input\n<stdin>: cannot load program rules\n")
    # The same problems as the file's, named by field; only the origin differs.
    assert from_stdin.replace("<stdin>", str(as_file)) == from_file
    assert stored_count(store_only) == before
