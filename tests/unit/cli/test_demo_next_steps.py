"""`make demo` ends by saying where the API and the dashboard are, and how to get a token."""

from cli.demo_report import where_to_look
from infra.settings import Settings


def test_the_demo_points_at_the_dashboard_and_the_token_command():
    hint = where_to_look(Settings.from_env({}))
    assert "http://127.0.0.1:8080/dashboard" in hint
    assert "ledger tokens issue --role ops" in hint
    assert "ledger api serve" in hint
    assert "LEDGER_DATA_DIR" not in hint


def test_the_demo_names_its_data_dir_when_not_the_default():
    hint = where_to_look(Settings.from_env({"LEDGER_DATA_DIR": "elsewhere"}))
    assert "LEDGER_DATA_DIR=elsewhere ledger tokens issue --role ops" in hint
    assert "LEDGER_DATA_DIR=elsewhere ledger api serve" in hint
