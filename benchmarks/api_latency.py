"""HTTP latency of the API's two busiest reads, on the seed scenario's projections.

A real server (waitress, as `ledger api serve` runs it) on a free loopback port, one keep-alive
client connection, requests one after another: what one portal user waits for.

- ``api_partner_status_p99_ms``: ``GET /partners/{code}`` with each partner's own token, in
  turn over every partner (the portal's "my status").
- ``api_decision_history_p99_ms``: ``GET /opportunities/{reference}/history`` with an ops
  token, in turn over every opportunity.

Set-up (reading the codes and references, starting the server, warm-up requests) is untimed.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import cycle, islice
from typing import Any

import waitress
from flask import Flask
from sqlalchemy import select

from api.app import close_app, create_app
from benchmarks.measurements import BenchmarkError
from infra.roles import Role
from infra.settings import Settings
from infra.store.urls import sqlalchemy_url
from infra.tokens import StaticTokens, TokenRecord, digest
from projections.database import open_projection_db
from projections.models.exclusivity_decisions import exclusivity_decision, latest_decision_date
from projections.models.opportunities import opportunity
from projections.models.partner_status import partner_status

DEFAULT_REQUESTS = 1000
WARM_UP_REQUESTS = 50
OPS_TOKEN = "bench-ops-token"

Request = tuple[str, str]  # path, bearer token


def measure_api_latency(settings: Settings, requests: int = DEFAULT_REQUESTS) -> dict[str, Any]:
    """p50 and p99 (ms) of both reads over HTTP against the projections `settings` name."""
    codes, references, as_of = _identifiers(settings)
    if not codes or not references:
        raise BenchmarkError("the projections hold no partners or no opportunities to query")
    now = datetime.now(UTC)
    tokens = [TokenRecord("bench-ops", digest(OPS_TOKEN), Role.OPS, None, now)]
    tokens += [
        TokenRecord(f"bench-{c}", digest(_partner_token(c)), Role.PARTNER, c, now) for c in codes
    ]
    status = [(f"/partners/{c}?as_of={as_of}", _partner_token(c)) for c in codes]
    history = [(f"/opportunities/{r}/history", OPS_TOKEN) for r in references]
    app = create_app(settings, StaticTokens(tokens))
    try:
        with _serving(app) as port:
            status_ms = _time_requests(port, status, requests)
            history_ms = _time_requests(port, history, requests)
    finally:
        close_app(app)
    return {
        "api_partner_status_p50_ms": _percentile(status_ms, 50),
        "api_partner_status_p99_ms": _percentile(status_ms, 99),
        "api_decision_history_p50_ms": _percentile(history_ms, 50),
        "api_decision_history_p99_ms": _percentile(history_ms, 99),
        "api_requests": requests,
        "api_partners": len(codes),
        "api_opportunities": len(references),
    }


def _partner_token(code: str) -> str:
    return f"bench-partner-{code}"


def _identifiers(settings: Settings) -> tuple[list[str], list[str], str]:
    engine = open_projection_db(sqlalchemy_url(settings.projections_url))
    try:
        with engine.connect() as connection:
            codes = list(connection.scalars(select(partner_status.c.code).order_by("code")))
            # Only opportunities with a decision have a history (the others answer 404).
            decided = select(opportunity.c.reference).join(
                exclusivity_decision,
                exclusivity_decision.c.opportunity_id == opportunity.c.opportunity_id,
            )
            references = list(connection.scalars(decided.distinct().order_by("reference")))
            last = latest_decision_date(connection)
    finally:
        engine.dispose()
    return codes, references, (last.isoformat() if last else "2011-12-31")


@contextmanager
def _serving(app: Flask) -> Iterator[int]:
    server: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        # Workers first: a task still answering must not find the server's trigger closed.
        server.task_dispatcher.shutdown()
        server.close()
        thread.join(timeout=5)


def _time_requests(port: int, requests: list[Request], count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for path, token in islice(cycle(requests), WARM_UP_REQUESTS):
            _get(connection, path, token)
        timings = []
        for path, token in islice(cycle(requests), count):
            started = time.perf_counter()
            _get(connection, path, token)
            timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        connection.close()


def _get(connection: http.client.HTTPConnection, path: str, token: str) -> None:
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise BenchmarkError(f"GET {path} answered {response.status}: {body[:200]!r}")


def _percentile(timings: list[float], percent: int) -> float:
    return round(statistics.quantiles(timings, n=100, method="inclusive")[percent - 1], 2)
