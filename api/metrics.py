"""`GET /metrics`: the ledger's Prometheus metrics (see ``infra.ops.metrics``), the API
process's own, and the latency of every request the API answered.

By default a scraper presents an ops bearer token (Prometheus: ``authorization:
credentials_file``), like any other client; ``LEDGER_METRICS_AUTH=none`` opens it for a
scraper on a private network. The pipeline probe behind it is shared with the dashboard. The
format follows the scraper's Accept header: OpenMetrics when it asks for
``application/openmetrics-text``, else Prometheus text.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Histogram

from api.access import allow, public
from api.backends import backends
from infra.ops.exposition import exposition
from infra.ops.metrics import ledger_registry
from infra.ops.pipeline_status import PipelineProbe, PipelineStatus
from infra.roles import Role
from infra.settings import Settings

PROBE = "channel-ledger-probe"
REGISTRY = "channel-ledger-metrics"
_probe_lock = threading.Lock()

_STARTED = "metrics_request_started"
# Label values come from the route table and a fixed list, never from the request itself, so a
# client sending random paths or methods cannot grow the number of series without bound.
UNMATCHED_ROUTE = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_RULE_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


def install_request_metrics(app: Flask) -> None:
    """Give `app` its metrics registry and time each request into it.

    Install it before any other request hook: a hook that answers early (a 401) skips the
    hooks registered after it, and its answers are to be timed too.
    """
    registry = ledger_registry(_probe_status)
    latency = Histogram(
        "ledger_http_request_duration_seconds",
        "time the API took to answer a request, by route template, method and status code",
        ["route", "method", "status"],
        registry=registry,
    )
    app.extensions[REGISTRY] = registry

    @app.before_request
    def start_timer() -> None:
        setattr(g, _STARTED, time.perf_counter())

    @app.after_request
    def observe_latency(response: Response) -> Response:
        started: float | None = g.pop(_STARTED, None)
        if started is not None:
            latency.labels(route_template(), _method(), str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response


def route_template() -> str:
    """The matched route in OpenAPI's spelling (``/partners/{code}``), never the raw path."""
    rule = request.url_rule
    if rule is None:
        return UNMATCHED_ROUTE
    return _RULE_ARGUMENT.sub(r"{\1}", rule.rule)


def _method() -> str:
    return request.method if request.method in _METHODS else "other"


def metrics_blueprint(settings: Settings) -> Blueprint:
    blp = Blueprint("metrics", __name__)
    access: Any = public if settings.metrics_auth == "none" else allow(Role.OPS)

    @blp.route("/metrics")
    @access
    def metrics() -> Response:
        registry: CollectorRegistry = current_app.extensions[REGISTRY]
        body, content_type = exposition(registry, request.headers.get("Accept"))
        response = Response(body, content_type=content_type)
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept")  # the body's format depends on it
        return response

    return blp


def _probe_status() -> PipelineStatus:
    # Read at scrape time, inside the /metrics request, so the app's probe is at hand.
    return pipeline_probe().status()


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
