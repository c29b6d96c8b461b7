"""`GET /healthz` (liveness) and `GET /readyz` (readiness) for orchestrators, without a token.

Readiness asks both databases a trivial question. The answer says only ok or not per
dependency: a probe is unauthenticated, so no host name, error or version leaks through it
(the reason goes to the log).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from api.access import public
from api.backends import backends

NOT_READY = 503


def health_blueprint() -> Blueprint:
    blp = Blueprint("health", __name__)

    @blp.route("/healthz")
    @public
    def healthz() -> Response:
        """The process answers."""
        return _no_store(jsonify(status="ok"))

    @blp.route("/readyz")
    @public
    def readyz() -> Response:
        """The projection database and the event store answer."""
        checks = {
            "projections": _answers("projections", _ask_projections),
            "event_store": _answers("event store", _ask_event_store),
        }
        ready = all(state == "ok" for state in checks.values())
        response = jsonify(status="ready" if ready else "not ready", checks=checks)
        response.status_code = 200 if ready else NOT_READY
        return _no_store(response)

    return blp


def _ask_projections() -> None:
    with backends().engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def _ask_event_store() -> None:
    backends().ledger().recorder.max_notification_id()


def _answers(dependency: str, ask: Callable[[], None]) -> str:
    try:
        ask()
    except Exception as error:  # whatever the failure, the dependency is not ready
        current_app.logger.warning("readiness: the %s did not answer: %s", dependency, error)
        return "unavailable"
    return "ok"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
