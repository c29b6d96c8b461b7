"""`GET /metrics`: the ledger's Prometheus metrics (see ``infra.ops.metrics``).

By default a scraper presents an ops bearer token (Prometheus: ``authorization:
credentials_file``), like any other client; ``LEDGER_METRICS_AUTH=none`` opens it for a
scraper on a private network. The pipeline probe behind it is shared with the dashboard.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from api.access import allow, public
from api.backends import backends
from infra.ops.exposition import exposition
from infra.ops.metrics import ledger_registry
from infra.ops.pipeline_status import PipelineProbe
from infra.roles import Role
from infra.settings import Settings

PROBE = "channel-ledger-probe"
_probe_lock = threading.Lock()


def metrics_blueprint(settings: Settings) -> Blueprint:
    blp = Blueprint("metrics", __name__)
    access: Any = public if settings.metrics_auth == "none" else allow(Role.OPS)

    @blp.route("/metrics")
    @access
    def metrics() -> Response:
        registry = ledger_registry(pipeline_probe().status)
        body, content_type = exposition(registry, request.headers.get("Accept"))
        response = Response(body, content_type=content_type)
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept")  # the body's format depends on it
        return response

    return blp


def pipeline_probe() -> PipelineProbe:
    """The app's probe, opened on first use with the API's own store connections."""
    with _probe_lock:
        probe: PipelineProbe | None = current_app.extensions.get(PROBE)
        if probe is None:
            found = backends()
            probe = PipelineProbe(found.settings, found.ledger, found.engine)
            current_app.extensions[PROBE] = probe
        return probe


def close_probe(app: Flask) -> None:
    probe: PipelineProbe | None = app.extensions.pop(PROBE, None)
    if probe is not None:
        probe.close()
