"""`ledger audit replay`: projections rebuilt from offset zero equal the live ones."""

import json
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from sqlalchemy import update

from cli.main import main
from infra.audit.replay import ReplayRun, compare, replay_into
from infra.bootstrap import open_projector, open_relay
from infra.scenario.seed import run_seed_scenario
from infra.store.event_store import open_ledger
from infra.store.urls import redact, sqlalchemy_url
from projections.database import open_projection_db
from projections.models.partner_status import partner_status
from tests.builders.scenario import stored_positions
from tests.fixtures.infrastructure import drop_database

pytestmark = pytest.mark.kafka


def publish_seed_history(env, settings, monkeypatch, days: int):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ledger = open_ledger(settings)
    run_seed_scenario(ledger, seed=3, days=days)
    relay = open_relay(settings, ledger)
    relay.drain()
    relay.close()
    projector = open_projector(settings)
    projector.drain()
    projector.close()
    ledger.close()
    return settings


@pytest.fixture
def live(env, settings, monkeypatch):
    """A short seed history published and projected, with the CLI pointed at it."""
    return publish_seed_history(env, settings, monkeypatch, days=45)


@pytest.mark.slow
def test_replay_equals_live_after_the_whole_seed_scenario(env, settings, monkeypatch, tmp_path):
    live = publish_seed_history(env, settings, monkeypatch, days=456)  # all 15 months
    target = f"sqlite:///{tmp_path}/whole.sqlite"
    assert replay_into(live, target) == len(stored_positions(open_ledger(live)))
    assert compare(live.projections_url, target) == []


def test_replay_equals_the_live_projections(live, tmp_path, capsys):
    assert main(["audit", "replay", "--into", f"sqlite:///{tmp_path}/replay.sqlite"]) == 0
    assert "every projection table equals the live one" in capsys.readouterr().out


def test_replay_json_is_one_object(live, tmp_path, capsys):
    target = f"sqlite:///{tmp_path}/replay.sqlite"
    assert main(["audit", "replay", "--into", target, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["target"], answer["differences"]) == (target, [])


def test_replaying_twice_gives_identical_tables(live, tmp_path):
    for name in ("first", "second"):
        assert main(["audit", "replay", "--into", f"sqlite:///{tmp_path}/{name}.sqlite"]) == 0
    first, second = (f"sqlite:///{tmp_path}/{name}.sqlite" for name in ("first", "second"))
    assert compare(first, second) == []


def test_a_tampered_live_row_is_listed_with_its_table_and_key(live, tmp_path, capsys):
    engine = open_projection_db(sqlalchemy_url(live.projections_url), writer=True)
    with engine.begin() as connection:
        connection.execute(
            update(partner_status)
            .where(partner_status.c.code == "antemeta")
            .values(tier="platinum")
        )
    engine.dispose()

    assert main(["audit", "replay", "--into", f"sqlite:///{tmp_path}/replay.sqlite"]) == 1
    out = capsys.readouterr().out
    assert "the live projections differ" in out
    assert "partner_status" in out
    assert "platinum" in out


def test_replay_refuses_a_database_that_is_not_empty(live, capsys):
    assert main(["audit", "replay", "--into", live.projections_url]) == 2
    assert "replay into a fresh database" in capsys.readouterr().err


def test_the_replay_knows_how_many_records_it_will_read(live, tmp_path):
    running = ReplayRun(live, f"sqlite:///{tmp_path}/count.sqlite")
    try:
        assert running.total == len(stored_positions(open_ledger(live)))
        assert running.drain() == running.total
    finally:
        running.close()


@pytest.fixture
def replay_database(postgres_admin_url):
    """A PostgreSQL database of its own for the replay (the live stores may be on another)."""
    name = f"ledger_replay_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(postgres_admin_url)._replace(path=f"/{name}"))
    drop_database(postgres_admin_url, name)


@pytest.mark.postgres
def test_replay_into_postgresql_never_prints_the_password(live, replay_database, capsys):
    postgres_url = replay_database
    password = urlsplit(postgres_url).password
    assert password, "the test database's URL carries a password to hide"
    assert main(["audit", "replay", "--into", postgres_url, "--json"]) == 0
    answer = capsys.readouterr()
    assert json.loads(answer.out)["target"] == redact(postgres_url)
    # A second replay finds the target full and says so, still without the password.
    assert main(["audit", "replay", "--into", postgres_url]) != 0
    refused = capsys.readouterr()
    assert "already holds" in refused.err
    # (The CI role's password is also its user name: look for it where a password stands.)
    for printed in (answer.out, answer.err, refused.out, refused.err):
        assert f":{password}@" not in printed
