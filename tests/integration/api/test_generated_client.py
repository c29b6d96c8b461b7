"""A client generated from /openapi.json by an independent generator (openapi-python-client)
reads the real API, over a projected database built from the real broker, with money as
strings: what the document promises is what a client made from it gets."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from infra.settings import Settings
from tests.builders.api_world import AS_OF, PROTECTED, build_world
from tests.fixtures.infrastructure import ledger_env

pytestmark = pytest.mark.kafka

PACKAGE = "channel_ledger_client"
AMOUNTS = ("list_price", "tier_discount", "registration_uplift", "net_price")


@pytest.fixture(scope="module")
def world(kafka_bootstrap, tmp_path_factory):
    env = ledger_env(kafka_bootstrap, tmp_path_factory.mktemp("generated-client"))
    return build_world(Settings.from_env(env))


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory):
    """The client package generated from the served document, imported."""
    where = tmp_path_factory.mktemp("client")
    document = where / "openapi.json"
    document.write_text(json.dumps(app.test_client().get("/openapi.json").get_json()))
    tools = Path(sys.executable).parent  # the generator formats its output with ruff
    completed = subprocess.run(
        [
            tools / "openapi-python-client",
            "generate",
            "--path",
            document,
            "--output-path",
            where / PACKAGE,
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    # A piece of the document the generator could not read is skipped with a warning.
    assert "Warning" not in completed.stdout + completed.stderr, completed.stdout
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def client_for(generated, app, world, who):
    client = importlib.import_module(f"{PACKAGE}.client")
    return client.AuthenticatedClient(
        base_url="http://ledger.test",
        token=world.secrets[who],
        httpx_args={"transport": httpx.WSGITransport(app=app)},
    )


def operation(name):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def test_the_generated_models_type_amounts_as_strings(generated):
    models = importlib.import_module(f"{PACKAGE}.models")

    def hints(model):
        # The models name each other only for type checkers: resolve them in their package.
        return typing.get_type_hints(model, localns=vars(models))

    for model in (models.DealHistoryQuotesItem, models.IssuedQuote):
        assert {amount: hints(model)[amount] for amount in AMOUNTS} == dict.fromkeys(AMOUNTS, str)
    assert hints(models.PartnerStatus)["qualified_revenue"] is str


def test_the_generated_client_reads_a_quote_s_amounts_as_strings(generated, app, world):
    history = operation("deals.get_opportunities_reference_history").sync(
        client=client_for(generated, app, world, "ops"), reference=PROTECTED
    )
    assert type(history).__name__ == "DealHistory"
    quotes = {quote.partner: quote for quote in history.quotes}
    assert set(quotes) == {"antemeta", "bigcorp"}
    for quote in quotes.values():
        for amount in AMOUNTS:
            assert isinstance(getattr(quote, amount), str), amount
        assert Decimal(quote.list_price) == Decimal(100000)
    # The protected specialist is quoted the lowest net price, exactly, as decimals.
    assert Decimal(quotes["antemeta"].net_price) < Decimal(quotes["bigcorp"].net_price)


def test_the_generated_client_sends_amounts_as_strings(generated, app, world):
    models = importlib.import_module(f"{PACKAGE}.models")
    response = operation("commands.post_commands_issue_quote").sync_detailed(
        client=client_for(generated, app, world, "manager"),
        body=models.IssueQuote(
            opportunity=PROTECTED,
            partner_code="antemeta",
            list_price="2500.50",
            issued_on=date.fromisoformat(AS_OF),  # dates are typed as dates, amounts as strings
        ),
    )
    assert response.status_code == 201
    assert response.parsed.list_price == "2500.50"
    assert response.headers["Location"] == f"/opportunities/{PROTECTED}/history"


def test_the_generated_client_reads_a_refusal_as_a_problem(generated, app, world):
    response = operation("deals.get_decisions").sync_detailed(
        client=client_for(generated, app, world, "bigcorp")
    )
    assert response.status_code == 403
    assert type(response.parsed).__name__ == "Problem"
    assert response.parsed.status == 403
