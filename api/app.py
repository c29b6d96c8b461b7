"""The API's Flask application: `create_app(settings, tokens)`.

flask-smorest loads request bodies and query strings with the marshmallow schemas of
``contracts``; the OpenAPI 3.1 document (``GET /openapi.json``) describes the same schemas with
the published contracts' converter and is completed by ``api.openapi``.
More blueprints (a dashboard, metrics) can be passed in; each of their views must declare its
access rule like the ledger's own (see ``api.access``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response, current_app, json
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException

from api.access import install_access_control
from api.backends import EXTENSION, Backends
from api.benefit_views import benefit_blueprint
from api.command_views import command_blueprint
from api.dashboard import dashboard_blueprint
from api.deal_views import deal_blueprint
from api.etags import install_etags
from api.health import health_blueprint
from api.metrics import close_probe, install_request_metrics, metrics_blueprint
from api.openapi import LedgerPlugin, complete
from api.operations_views import operations_blueprint
from api.partner_views import partner_blueprint
from api.problems import PROBLEM_JSON, from_http_exception, register_problem_handlers
from api.request_limits import install_request_limits
from api.simulation_views import simulation_blueprint
from contracts.inputs.api_schemas import ProblemSchema
from infra.settings import Settings
from infra.tokens import TokenSource

OPENAPI = {
    "API_TITLE": "Channel Ledger",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "info": {
            "description": "Commands and queries of the partner program's ledger. Every error "
            "is an RFC 9457 problem document."
        },
    },
}


class LedgerApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, with errors as problem details, documented as such."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"
    # Every status an operation answers is listed (api.openapi); none hides behind "default".
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask) -> None:
        self._document: dict[str, Any] | None = None
        super().__init__(app, spec_kwargs={"marshmallow_plugin": LedgerPlugin()})

    def handle_http_exception(self, error: HTTPException) -> Response:
        return from_http_exception(error)

    def document(self) -> dict[str, Any]:
        """The completed document, made once all blueprints are registered (on first use)."""
        if self._document is None:
            # A copy: to_dict shares its dicts with the spec, which stays as flask-smorest made it.
            self._document = complete(copy.deepcopy(self.spec.to_dict()), current_app)
        return self._document

    def _openapi_json(self) -> Response:
        return current_app.response_class(
            json.dumps(self.document(), indent=2, sort_keys=False), mimetype="application/json"
        )

    def _register_responses(self) -> None:
        # The same components flask-smorest registers, with the problem media type.
        saved = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = saved


def create_app(
    settings: Settings, tokens: TokenSource, extra_blueprints: Sequence[Blueprint] = ()
) -> Flask:
    app = Flask(__name__)
    # First of the request hooks, so answers given by later ones (401, 403) are timed too.
    install_request_metrics(app)
    app.config.update(OPENAPI)
    app.extensions[EXTENSION] = Backends(settings)
    api = LedgerApi(app)
    operations = (
        partner_blueprint(),
        deal_blueprint(),
        operations_blueprint(),
        command_blueprint(),
        simulation_blueprint(),
        benefit_blueprint(),
        *extra_blueprints,
    )
    for blueprint in operations:
        api.register_blueprint(blueprint)
    # Pages and probes, not API operations: kept out of the OpenAPI document.
    for page in (
        health_blueprint(),
        metrics_blueprint(settings),
        dashboard_blueprint(settings, tokens),
    ):
        app.register_blueprint(page)
    register_problem_handlers(app)
    install_request_limits(app, settings.api_max_body_bytes)
    install_access_control(app, tokens)
    # After access control: positions are read for authenticated callers only.
    install_etags(app, frozenset(blueprint.name for blueprint in operations))
    return app


def close_app(app: Flask) -> None:
    close_probe(app)
    backends: Any = app.extensions[EXTENSION]
    backends.close()
