"""`ledger tokens issue | revoke | list` and the API reading what they write (no broker needed:
a token is refused or admitted before any database is touched)."""

import json

import pytest

from api.app import close_app, create_app
from cli.main import main
from infra.settings import Settings
from infra.tokens import TokenError, token_source


@pytest.fixture
def ledger_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LEDGER_API_TOKENS", raising=False)
    monkeypatch.delenv("LEDGER_API_TOKENS_FILE", raising=False)

    def run(*argv):
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def app(tmp_path, ledger_cli):
    settings = Settings.from_env({"LEDGER_DATA_DIR": str(tmp_path)})
    app = create_app(settings, token_source(settings, {}))
    yield app
    close_app(app)


def issue(ledger_cli, *argv):
    code, out, err = ledger_cli("tokens", "issue", *argv)
    assert code == 0
    # stdout is the token alone (`TOKEN=$(ledger tokens issue ...)`); the sentence is on stderr.
    (token,) = out.splitlines()
    assert err.startswith("issued ")
    return err.split()[1], token


def test_issue_json_is_one_object_with_the_record_and_the_token(ledger_cli, tmp_path):
    code, out, err = ledger_cli(
        "tokens", "issue", "--role", "partner", "--partner", "antemeta", "--json"
    )
    assert code == 0
    assert err == ""
    issued = json.loads(out)
    assert set(issued) == {"id", "role", "partner", "created", "token"}
    assert (issued["role"], issued["partner"]) == ("partner", "antemeta")
    (entry,) = json.loads((tmp_path / "api-tokens.json").read_text())
    assert (entry["id"], entry["created"]) == (issued["id"], issued["created"])
    assert issued["token"] not in json.dumps(entry)


def test_an_issued_token_is_shown_once_and_stored_only_as_a_hash(ledger_cli, tmp_path):
    token_id, token = issue(ledger_cli, "--role", "partner", "--partner", "antemeta")
    stored = (tmp_path / "api-tokens.json").read_text()
    assert token not in stored
    (entry,) = json.loads(stored)
    assert entry["id"] == token_id
    assert entry["role"] == "partner"
    assert entry["partner"] == "antemeta"
    assert len(entry["sha256"]) == 64
    code, listed, _ = ledger_cli("tokens", "list", "--json")
    assert code == 0
    assert token not in listed
    assert entry["sha256"] not in listed
    assert [t["id"] for t in json.loads(listed)] == [token_id]


def test_a_revoked_token_is_refused_by_the_running_api(ledger_cli, app):
    token_id, token = issue(ledger_cli, "--role", "ops")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    # Admitted: the answer is about the endpoint (no projections here), never a 401.
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/no-such-endpoint", headers=headers).status_code == 404
    assert ledger_cli("tokens", "revoke", token_id)[0] == 0
    refused = client.get("/no-such-endpoint", headers=headers)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--role", "partner"], "partner: required for a partner token"),
        (["--role", "ops", "--partner", "antemeta"], "partner: only partner tokens"),
        (["--role", "partner", "--partner", "Not Valid"], "partner: must be 2-63"),
        (["--role", "admin"], "role: must be one of: ops, auditor, channel-manager, partner"),
    ],
)
def test_a_bad_token_request_names_the_problem_and_writes_nothing(
    ledger_cli, tmp_path, argv, message
):
    code, _, err = ledger_cli("tokens", "issue", *argv)
    assert code == 2
    assert message in err
    assert not (tmp_path / "api-tokens.json").exists()


def test_revoking_an_unknown_id_is_refused(ledger_cli):
    code, _, err = ledger_cli("tokens", "revoke", "tok-nothing")
    assert code == 2
    assert "no token 'tok-nothing'" in err


def test_tokens_from_the_environment_are_read_only(ledger_cli, tmp_path, monkeypatch):
    issue(ledger_cli, "--role", "auditor")
    entries = (tmp_path / "api-tokens.json").read_text()
    monkeypatch.setenv("LEDGER_API_TOKENS", entries)
    settings = Settings.from_env({"LEDGER_DATA_DIR": str(tmp_path / "elsewhere")})
    (record,) = token_source(settings, {"LEDGER_API_TOKENS": entries}).records()
    assert record.role.value == "auditor"
    code, _, err = ledger_cli("tokens", "issue", "--role", "ops")
    assert code == 2
    assert "LEDGER_API_TOKENS" in err


def test_a_malformed_token_source_names_the_field():
    settings = Settings.from_env({})
    bad = json.dumps([{"id": "t", "sha256": "xyz", "role": "ops", "created": "2011-01-01"}])
    with pytest.raises(TokenError, match="entry 0: sha256: must be 64 lowercase hex digits"):
        token_source(settings, {"LEDGER_API_TOKENS": bad})


@pytest.mark.parametrize(
    ("scope", "reason"),
    [
        ({"role": "partner"}, "partner: required for a partner token"),
        ({"role": "ops", "partner": "antemeta"}, "only partner tokens are scoped"),
    ],
)
def test_a_stored_token_scoped_against_its_role_is_refused(scope, reason):
    # Hand-written entries too: a partner token without a partner would otherwise read as
    # unscoped and see every partner.
    entry = {"id": "t", "sha256": "0" * 64, "created": "2011-01-01T00:00:00+00:00", **scope}
    with pytest.raises(TokenError, match=f"entry 0: partner: .*{reason}"):
        token_source(Settings.from_env({}), {"LEDGER_API_TOKENS": json.dumps([entry])})
