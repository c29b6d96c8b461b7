"""Liveness and readiness of a long-running process (`ledger relay | project | up`).

A small stdlib HTTP server on its own thread: ``/healthz`` answers while the process does;
``/readyz`` answers 200 only while every loop has made progress (a batch sent, a poll
returned, even an empty one) within the last ``stale_after_s`` seconds, so a loop that has not
started yet, is stuck on an unreachable broker, or has stopped is reported not ready;
``/metrics`` shows each loop's heartbeat and the process's own metrics to Prometheus (in the
format the scraper's Accept header asks for). It serves on loopback unless told
otherwise (a container's scraper needs ``LEDGER_HEALTH_HOST=0.0.0.0``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from infra.ops.exposition import exposition, process_registry

SHUTDOWN_POLL_S = 0.1  # how soon the server notices it is asked to stop


class Heartbeat:
    """Marks a loop's progress; read from the health server's threads."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.iterations = 0
        self._last: float | None = None
        self._last_unix: float | None = None
        self._stopped = False

    def beat(self) -> None:
        # Plain assignments: atomic under the GIL, and a reader seeing a value one beat old
        # changes nothing. Two clocks: readiness measures age on the monotonic one (a wall
        # clock set back or forward must not make a loop stale or fresh), while Prometheus
        # is told the wall-clock time, which it can compare with its own.
        self._last = time.monotonic()
        self._last_unix = time.time()
        self.iterations += 1
        self._stopped = False  # a loop reopened after its database came back beats again

    def stop(self) -> None:
        self._stopped = True

    def last_progress_unix(self) -> float | None:
        """When the loop last made progress, in Unix seconds (None before its first)."""
        return self._last_unix

    def _seconds_since_progress(self) -> float | None:
        return None if self._last is None else time.monotonic() - self._last

    def fresh(self, stale_after_s: float) -> bool:
        age = self._seconds_since_progress()
        return not self._stopped and age is not None and age <= stale_after_s


class HealthServer:
    def __init__(
        self, host: str, port: int, heartbeats: Sequence[Heartbeat], stale_after_s: float
    ) -> None:
        self.heartbeats = list(heartbeats)
        self.stale_after_s = stale_after_s
        self.registry = process_registry()
        self.registry.register(_HeartbeatCollector(self.heartbeats))
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_S},
            name="health-server",
            daemon=True,
        )

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> HealthServer:
        self._thread.start()
        return self

    def readiness(self) -> tuple[bool, dict[str, str]]:
        checks = {
            beat.name: "ok" if beat.fresh(self.stale_after_s) else "not ready"
            for beat in self.heartbeats
        }
        return all(state == "ok" for state in checks.values()), checks

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(health: HealthServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                self._send(200, "application/json", json.dumps({"status": "ok"}).encode())
            elif self.path == "/readyz":
                ready, checks = health.readiness()
                body = {"status": "ready" if ready else "not ready", "checks": checks}
                self._send(200 if ready else 503, "application/json", json.dumps(body).encode())
            elif self.path == "/metrics":
                metrics, content_type = exposition(health.registry, self.headers.get("Accept"))
                self._send(200, content_type, metrics, vary="Accept")
            else:
                self._send(404, "application/json", json.dumps({"status": "not found"}).encode())

        def _send(
            self, status: int, content_type: str, body: bytes, vary: str | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            if vary is not None:
                self.send_header("Vary", vary)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # probes every few seconds would drown the process's own output

    return Handler


class _HeartbeatCollector(Collector):
    def __init__(self, heartbeats: Sequence[Heartbeat]) -> None:
        self.heartbeats = heartbeats

    def collect(self) -> Iterator[Metric]:
        # A timestamp rather than an age, as Prometheus advises: it stays true between
        # scrapes, and `time() - ledger_loop_last_progress_timestamp_seconds` gives the age.
        last_progress = GaugeMetricFamily(
            "ledger_loop_last_progress_timestamp_seconds",
            "Unix time at which the loop last made progress (absent before its first)",
            labels=["loop"],
        )
        iterations = CounterMetricFamily(
            "ledger_loop_iterations_total", "batches sent or polls returned", labels=["loop"]
        )
        for beat in self.heartbeats:
            at = beat.last_progress_unix()
            if at is not None:
                last_progress.add_metric([beat.name], at)
            iterations.add_metric([beat.name], beat.iterations)
        yield last_progress
        yield iterations
