"""What the API refuses before a view sees the request: bodies too large, not JSON, or JSON
the parser cannot take (the dashboard's forms are held to the size limit only).

Checked before access control, so an oversized body is refused from its headers alone, whoever
sends it. A body is parsed here once to be sure it can be: Python's JSON parser raises
RecursionError (not ValueError) on deep nesting, which webargs does not catch and would turn
into a 500.
"""

from __future__ import annotations

import json

from flask import Flask, Response, request

from api.problems import problem

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Pages whose forms a browser posts (the dashboard's sign-in): held to the size limit only.
FORM_BLUEPRINTS = frozenset({"dashboard"})


def install_request_limits(app: Flask, max_body_bytes: int) -> None:
    # Werkzeug also stops a body without a Content-Length (chunked) at this size, with a 413.
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes

    @app.before_request
    def refuse_unreadable_bodies() -> Response | None:
        if request.method not in BODY_METHODS:
            return None
        length = request.content_length
        if length is not None and length > max_body_bytes:
            return problem(
                413,
                "body-too-large",
                "Content Too Large",
                f"the body is {length} bytes; the limit is {max_body_bytes} "
                "(LEDGER_API_MAX_BODY_BYTES)",
            )
        if request.blueprint in FORM_BLUEPRINTS:
            return None
        if not length and not request.headers.get("Transfer-Encoding"):
            return None  # no body: the view's schema names what is missing
        if not request.is_json:
            return problem(
                415,
                "unsupported-media-type",
                "Unsupported Media Type",
                f"the body must be application/json, not {request.mimetype or 'unnamed'}",
            )
        return _unparseable(request.get_data(cache=True))


def _unparseable(body: bytes) -> Response | None:
    """A 400 problem for a body that is not JSON the parser can take, else None."""
    try:
        json.loads(body)
    except RecursionError:
        return problem(400, "invalid-json", "Invalid JSON", "the body is nested too deeply")
    except UnicodeDecodeError:
        return problem(400, "invalid-json", "Invalid JSON", "the body is not valid UTF-8")
    except ValueError as error:
        return problem(400, "invalid-json", "Invalid JSON", f"the body is not JSON: {error}")
    return None
