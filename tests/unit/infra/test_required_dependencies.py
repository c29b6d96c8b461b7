"""`*_REQUIRE_*` flags turn a missing dependency's skip into a failure."""

import sys

import pytest

from tests.fixtures import required


def test_a_missing_dependency_skips_without_its_flag(monkeypatch):
    monkeypatch.delenv("LEDGER_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        required.missing("LEDGER_REQUIRE_BROWSER", "no Chromium")


def test_a_missing_dependency_fails_with_its_flag(monkeypatch):
    monkeypatch.setenv("LEDGER_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="LEDGER_REQUIRE_POSTGRES=1 but no server"):
        required.missing("LEDGER_REQUIRE_POSTGRES", "no server")


def test_playwright_uninstalled_fails_when_the_browser_is_required(monkeypatch):
    # A None entry makes `import playwright.sync_api` raise ImportError, as if uninstalled.
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    monkeypatch.setenv("LEDGER_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="Playwright is not installed"):
        required.module(
            "playwright.sync_api", "LEDGER_REQUIRE_BROWSER", "Playwright is not installed"
        )


def test_an_installed_module_is_returned():
    assert required.module("json", "LEDGER_REQUIRE_BROWSER", "no json").dumps([]) == "[]"


def test_a_missing_program_fails_when_required(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("LEDGER_REQUIRE_PROMTOOL", "1")
    with pytest.raises(pytest.fail.Exception, match="LEDGER_REQUIRE_PROMTOOL=1 but no promtool"):
        required.program("promtool", "LEDGER_REQUIRE_PROMTOOL", "no promtool")


def test_a_missing_program_skips_without_its_flag(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("LEDGER_REQUIRE_PROMTOOL", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no promtool"):
        required.program("promtool", "LEDGER_REQUIRE_PROMTOOL", "no promtool")


def test_a_program_on_the_path_is_found(tmp_path, monkeypatch):
    tool = tmp_path / "sometool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert required.program("sometool", "LEDGER_REQUIRE_PROMTOOL", "no tool") == str(tool)
