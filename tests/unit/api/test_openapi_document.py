"""The API's OpenAPI document: valid OpenAPI 3.1, its schemas described by the converter of the
published event contracts, and every refusal, page link, entity tag and location it answers
with documented. No database is opened: the document is made from the views alone."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from flask_smorest import Blueprint
from marshmallow import fields, validate
from openapi_spec_validator import OpenAPIV31SpecValidator
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from api.access import READERS, allow
from api.app import close_app, create_app
from api.openapi import request_header
from infra.settings import Settings
from infra.tokens import StaticTokens

ROOT = Path(__file__).resolve().parents[3]
QUOTE_EVENT = ROOT / "contracts/published/events/opportunity.quote-issued.v2.schema.json"
AMOUNTS = ("list_price", "tier_discount", "registration_uplift", "net_price")
OPERATIONS = ("get", "post")


def make_document(tmp_path, extra_blueprints=()):
    app = create_app(
        Settings.from_env({"LEDGER_DATA_DIR": str(tmp_path)}), StaticTokens([]), extra_blueprints
    )
    try:
        response = app.test_client().get("/openapi.json")
        assert response.status_code == 200
        return response.get_json()
    finally:
        close_app(app)


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    return make_document(tmp_path_factory.mktemp("openapi"))


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method in OPERATIONS:
                yield path, method, operation


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    assert document["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    validate_openapi(document, cls=OpenAPIV31SpecValidator)


def test_an_invalid_document_is_refused_by_the_validator(document):
    broken = json.loads(json.dumps(document))
    broken["paths"]["/partners"]["get"]["responses"]["200"]["content"] = "not a map"
    with pytest.raises(OpenAPIValidationError, match='"not a map" is not of type "object"'):
        validate_openapi(broken, cls=OpenAPIV31SpecValidator)


def test_quote_amounts_are_described_as_the_published_event_describes_them(document):
    event = json.loads(QUOTE_EVENT.read_text())["properties"]["payload"]["properties"]
    issued = document["components"]["schemas"]["IssuedQuote"]["properties"]
    history = document["components"]["schemas"]["DealHistory"]["properties"]
    listed = history["quotes"]["items"]["properties"]
    for amount in AMOUNTS:
        assert issued[amount] == event[amount], amount
        assert listed[amount] == event[amount], amount
        assert issued[amount]["type"] == "string"


def test_a_quote_with_a_numeric_amount_does_not_conform(document):
    quote_schema = document["components"]["schemas"]["IssuedQuote"]
    quote = {
        "quote_id": "q-1",
        "tier": "gold",
        "list_price": "100000.00",
        "tier_discount": "15000.00",
        "registration_uplift": "15000.00",
        "net_price": "70000.00",
        "protection": "holder",
        "rules_version": "2010.2",
        "notice": "",
    }
    jsonschema.Draft202012Validator(quote_schema).validate(quote)
    with pytest.raises(jsonschema.ValidationError, match="is not of type 'string'"):
        jsonschema.Draft202012Validator(quote_schema).validate({**quote, "net_price": 70000.0})


def test_dates_carry_their_format_and_bounds(document):
    as_of = next(
        p for p in document["paths"]["/partners"]["get"]["parameters"] if p["name"] == "as_of"
    )
    assert as_of["schema"] == {
        "type": "string",
        "format": "date",
        "x-date-minimum": "1990-01-01",
        "x-date-maximum": "2999-12-31",
    }
    registration = document["components"]["schemas"]["Registration"]["properties"]
    assert registration["valid_until"] == {"type": ["string", "null"], "format": "date"}


def test_command_amounts_are_strings_of_at_most_cents(document):
    list_price = document["components"]["schemas"]["IssueQuote"]["properties"]["list_price"]
    assert list_price["type"] == "string"
    assert list_price["pattern"] == r"^[0-9]+(\.[0-9]{1,2})?$"
    assert list_price["x-decimal-maximum"] == "1000000000000"


def test_every_operation_documents_its_refusals_as_problem_details(document):
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert "default" not in responses, (path, method)
        for status in ("401", "503"):
            assert status in responses, (path, method, status)
        for status, response in responses.items():
            if status[0] in "45":
                name = response["$ref"].rsplit("/", 1)[1]
                content = document["components"]["responses"][name]["content"]
                assert list(content) == ["application/problem+json"], (path, status)


def test_refusals_are_documented_where_they_happen(document):
    paths = document["paths"]
    assert "403" in paths["/decisions"]["get"]["responses"]  # partners may not
    assert "403" not in paths["/partners"]["get"]["responses"]  # every role may
    assert "404" in paths["/partners/{code}"]["get"]["responses"]
    assert "409" in paths["/commands/register-deal"]["post"]["responses"]
    for status in ("400", "413", "415", "422"):
        assert status in paths["/commands/register-deal"]["post"]["responses"], status
    unauthorized = document["components"]["responses"]["UNAUTHORIZED"]
    assert "WWW-Authenticate" in unauthorized["headers"]
    assert "Retry-After" in document["components"]["responses"]["SERVICE_UNAVAILABLE"]["headers"]


def test_every_read_has_an_etag_and_a_304(document):
    for path, method, operation in operations(document):
        if method == "get":
            assert "ETag" in operation["responses"]["200"]["headers"], path
            assert "304" in operation["responses"], path
            names = [p["name"] for p in operation["parameters"]]
            assert "If-None-Match" in names, path


def lists(document) -> list[str]:
    """Every GET whose answer is a JSON array: what a client pages through."""
    found = []
    for path, method, operation in operations(document):
        content = operation["responses"].get("200", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if method == "get" and schema.get("type") == "array":
            found.append(path)
    return found


def test_every_list_is_paged_with_link_headers(document):
    found = lists(document)
    assert {"/partners", "/decisions", "/reviews"} <= set(found)
    # The one list wrapped in an object (with the total count) is paged too.
    for path in [*found, "/dead-letters"]:
        operation = document["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"page", "per_page"} <= names, path
        assert operation["responses"]["200"]["headers"]["Link"] == {
            "$ref": "#/components/headers/Link"
        }, path


def test_every_201_documents_its_location(document):
    created = [
        path for path, _, operation in operations(document) if "201" in operation["responses"]
    ]
    assert len(created) >= 4
    for path in created:
        responses = document["paths"][path]["post"]["responses"]
        assert "Location" in responses["201"]["headers"], path
    assert document["components"]["headers"]["Location"]["required"] is True


def test_a_view_declares_a_request_header_in_one_line(tmp_path):
    blp = Blueprint("probe", __name__)

    @blp.route("/probe", methods=["POST"])
    @request_header(
        "Idempotency-Key",
        fields.String(validate=validate.Length(min=1, max=200)),
        "repeats of one command",
    )
    @allow(*READERS)
    @blp.response(204)
    def probe() -> None:
        """A probe."""

    parameters = make_document(tmp_path, [blp])["paths"]["/probe"]["post"]["parameters"]
    assert parameters == [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "description": "repeats of one command",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        }
    ]
