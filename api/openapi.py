"""The API's OpenAPI 3.1 document (`GET /openapi.json`), truthful about what the API does.

flask-smorest collects the operations from the views' decorators; their schemas are described
by the converter of the published event contracts (``contracts.documents.json_schema``, in its
HTTP form), so an amount is a string with its pattern here as it is on Kafka, and a date a
string with its format. ``complete`` then adds what every operation shares, from facts about
the view rather than from hand-written lists: the problem details (RFC 9457) each can answer
(401 always; 403 when its role rule excludes some; 404 on a path with parameters; 400, 413 and
415 on a body; 422 on validated input; 503 when storage is down), `ETag` and 304 on reads, the
`Link` header on lists (``api.pagination``), `Location` on 201, and the request headers a view
declares with ``request_header``. Nothing is documented as `default`: a status the document
does not list is a defect the conformance tests report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_instance
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from flask import Flask
from marshmallow import fields

from api.problems import PROBLEM_JSON
from contracts.documents.json_schema import DIALECT, Form, JsonSchema, field_schema, object_schema
from contracts.inputs.api_schemas import ProblemSchema
from infra.roles import Role

F = TypeVar("F", bound=Callable[..., Any])
Operation = dict[str, Any]

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class LedgerConverter(OpenAPIConverter):
    """apispec's converter, answering with the contracts' converter (Form.HTTP)."""

    def schema2jsonschema(self, schema: Any) -> JsonSchema:
        instance = resolve_schema_instance(schema)
        return object_schema(instance, type(instance).__name__, Form.HTTP)

    def _field2parameter(self, field: fields.Field[Any], *, name: str, location: str) -> Operation:
        schema = field_schema(field, f"{location}.{name}", Form.HTTP)
        parameter: Operation = {"in": location, "name": name, "required": field.required}
        if "description" in schema:
            parameter["description"] = schema.pop("description")
        parameter["schema"] = schema
        return parameter


class LedgerPlugin(MarshmallowPlugin):
    Converter = LedgerConverter


def request_header(
    name: str, field: fields.Field[Any], description: str, *, required: bool = False
) -> Callable[[F], F]:
    """Declare a request header a view reads, for the document (the view reads it itself).

    Apply it below ``blp.route``; the header's schema comes from `field`, like a body's.
    """

    def declare(view: F) -> F:
        declared = [*getattr(view, "request_headers", ()), (name, field, description, required)]
        view.request_headers = declared  # type: ignore[attr-defined]
        return view

    return declare


# --- the parts every operation shares ---------------------------------------------------------

HEADERS: dict[str, Operation] = {
    "ETag": {
        "description": "the representation's entity tag, derived from the projection's stored "
        "positions; send it back in If-None-Match for a 304 while nothing changed (absent "
        "when the projector committed while the answer was read)",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'RFC 8288 links to the pages of this list: rel="first", "prev", '
        '"next", "last" (relative references)',
        "required": True,
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "where what the command recorded can be read, once projected",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "WWW-Authenticate": {
        "description": "the bearer challenge (RFC 6750)",
        "required": True,
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "seconds to wait before retrying",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
}

PROBLEMS: dict[int, tuple[str, str, str | None]] = {
    400: ("BAD_REQUEST", "the body is not JSON the parser can take", None),
    401: ("UNAUTHORIZED", "no bearer token, or an unknown or revoked one", "WWW-Authenticate"),
    403: ("FORBIDDEN", "the token's role may not use this operation", None),
    404: ("NOT_FOUND", "no such resource (or not one this partner may see)", None),
    409: ("CONFLICT", "a business rule refused the command (named in `rule`)", None),
    413: ("CONTENT_TOO_LARGE", "the body is larger than LEDGER_API_MAX_BODY_BYTES", None),
    415: ("UNSUPPORTED_MEDIA_TYPE", "the body is not application/json", None),
    422: ("UNPROCESSABLE_CONTENT", "invalid input, each field in `invalid-params`", None),
    503: ("SERVICE_UNAVAILABLE", "the ledger's storage did not answer; retry", "Retry-After"),
}

IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "description": "an ETag received before: 304 Not Modified while it still holds",
    "required": False,
    "schema": {"type": "string"},
}

FLASK_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
EVERY_ROLE = frozenset(Role)


def complete(document: Operation, app: Flask) -> Operation:
    """`document` as flask-smorest wrote it, made OpenAPI 3.1 and completed (see above)."""
    views = _views_by_operation(app)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                _complete_operation(path, method, operation, views[(path, method)])
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = object_schema(
        ProblemSchema(), "ProblemSchema", Form.HTTP
    )
    components["responses"] = {
        **components.get("responses", {}),
        **{name: _problem_response(text, header) for name, text, header in PROBLEMS.values()},
        "NOT_MODIFIED": {
            "description": "not modified since the ETag in If-None-Match",
            "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
        },
    }
    components["headers"] = HEADERS
    _drop_unreferenced_responses(document)
    document["jsonSchemaDialect"] = DIALECT
    return document


def _drop_unreferenced_responses(document: Operation) -> None:
    # flask-smorest's own error components (replaced above by the problem responses).
    text = json.dumps(document["paths"])
    responses = document["components"]["responses"]
    for name in [n for n in responses if f'"#/components/responses/{n}"' not in text]:
        del responses[name]


def _views_by_operation(app: Flask) -> dict[tuple[str, str], Any]:
    found = {}
    for rule in app.url_map.iter_rules():
        path = FLASK_PARAMETER.sub(r"{\1}", rule.rule)
        for method in rule.methods or ():
            found[(path, method.lower())] = app.view_functions[rule.endpoint]
    return found


def _complete_operation(path: str, method: str, operation: Operation, view: Any) -> None:
    responses: dict[str, Any] = operation["responses"]
    responses.pop("default", None)
    statuses = {401, 503}
    if frozenset(getattr(view, "allowed_roles", EVERY_ROLE)) != EVERY_ROLE:
        statuses.add(403)
    if "{" in path:
        statuses.add(404)
    if "409" in responses:
        statuses.add(409)
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if any(p.get("in") == "query" for p in operation.get("parameters", [])):
        statuses.add(422)
    for status in statuses:
        responses[str(status)] = {"$ref": f"#/components/responses/{PROBLEMS[status][0]}"}
    if method == "get":
        _cacheable(operation, responses)
    operation["responses"] = responses = dict(sorted(responses.items()))
    if "201" in responses:
        responses["201"].setdefault("headers", {})["Location"] = {
            "$ref": "#/components/headers/Location"
        }
    for name, field, description, required in getattr(view, "request_headers", ()):
        operation.setdefault("parameters", []).append(
            {
                "in": "header",
                "name": name,
                "description": description,
                "required": required,
                "schema": field_schema(field, f"header.{name}", Form.HTTP),
            }
        )


def _cacheable(operation: Operation, responses: dict[str, Any]) -> None:
    headers = responses["200"].setdefault("headers", {})
    headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if any(p.get("name") == "page" for p in operation.get("parameters", [])):
        headers["Link"] = {"$ref": "#/components/headers/Link"}
    responses["304"] = {"$ref": "#/components/responses/NOT_MODIFIED"}
    operation.setdefault("parameters", []).append(IF_NONE_MATCH)


def _problem_response(description: str, header: str | None) -> Operation:
    response: Operation = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }
    if header:
        response["headers"] = {header: {"$ref": f"#/components/headers/{header}"}}
    return response
