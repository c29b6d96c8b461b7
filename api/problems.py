"""Every error the API returns is an RFC 9457 problem document (application/problem+json).

Bad input names each field and the rule it broke (400/422), a broken business rule names the
rule (409), an unavailable database says to retry (503). Nothing else about the server leaks:
an unexpected failure is a bare 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import PersistenceError
from flask import Flask, Response, jsonify
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from domain.errors import DomainError
from domain.ledger import ConcurrentUpdates
from infra.tokens import TokenError

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "urn:channel-ledger:problem:"

# Where webargs found the field, in the words of the OpenAPI document.
LOCATIONS = {"json": "body", "query": "query", "view_args": "path", "headers": "header"}

UNAVAILABLE = (PersistenceError, DBAPIError, ConcurrentUpdates, TokenError)


def problem(
    status: int, kind: str, title: str, detail: str | None = None, **extensions: Any
) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_TYPE + kind, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extensions)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        invalid = [
            {"name": name, "location": LOCATIONS.get(location, location), "reason": reason}
            for location, fields in messages.items()
            for name, reason in _flatten(fields, "")
        ]
        detail = "; ".join(f"{p['name']}: {p['reason']}" for p in invalid)
        response = problem(
            status, "invalid-input", "Invalid input", detail, **{"invalid-params": invalid}
        )
    else:
        message = data.get("message") or error.description
        response = problem(status, _slug(error.name), error.name, message)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-").replace("'", "")


def _flatten(messages: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """(field path, reason) pairs from marshmallow's nested error messages."""
    if isinstance(messages, dict):
        for key, nested in messages.items():
            # "_schema" holds errors about the enclosing object itself, not a field of it.
            path = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            yield from _flatten(nested, path)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, prefix)
    else:
        yield prefix or "body", str(messages)


def register_problem_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def rule_broken(error: DomainError) -> Response:
        return problem(
            409,
            "rule-broken",
            "A business rule refused the command",
            error.message,
            rule=error.rule,
        )

    def unavailable(error: Exception) -> Response:
        app.logger.warning("storage unavailable: %s", error)
        response = problem(
            503,
            "unavailable",
            "Service unavailable",
            "the ledger's storage did not answer; nothing was recorded, retry",
        )
        response.headers["Retry-After"] = "1"
        return response

    for kind in UNAVAILABLE:
        app.register_error_handler(kind, unavailable)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unexpected error", exc_info=error)
        return problem(500, "internal-error", "Internal Server Error")
