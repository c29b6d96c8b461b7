"""The relay's and projector's long-running loops, with heartbeats a health server reads.

Relay.run and Projector.run have no hook, and their hot paths are not the place to add one;
when a health port is set, the loops below call the same public steps (``publish_batch``,
``poll_once``) with the same waits, and mark a heartbeat after each. Without a port the
processes run their own loops, unchanged.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Sequence
from types import TracebackType

from consumers.projector import Projector
from infra.ops.health_server import HealthServer, Heartbeat
from infra.relay.relay import Relay
from infra.settings import Settings

Loop = Callable[[threading.Event], None]

# The same wait as Relay.run, by reference: the idle wait is the floor of command-to-Kafka
# latency, so a process with a health port (every compose service) must not wait longer.
RELAY_IDLE_WAIT_S = Relay.IDLE_WAIT_S
PROJECTOR_POLL_MS = 200  # as Projector.run


def beating(step: Callable[[], int], heartbeat: Heartbeat, idle_wait_s: float) -> Loop:
    """Call `step` until stopped, marking progress after each call (a step that raises, or
    hangs, stops the heartbeat)."""

    def loop(stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                moved = step()
                heartbeat.beat()
                if not moved and idle_wait_s:
                    stop.wait(idle_wait_s)
        finally:
            heartbeat.stop()

    return loop


class Monitoring:
    """A process's heartbeats, served on `port` (no server, and the plain loops, when None)."""

    def __init__(self, settings: Settings, port: int | None, loops: Sequence[str]) -> None:
        self.beats = {name: Heartbeat(name) for name in loops}
        self.server = (
            None
            if port is None
            else HealthServer(
                settings.health_host,
                port,
                list(self.beats.values()),
                settings.health_stale_after_s,
            )
        )

    @classmethod
    def for_command(
        cls, args: argparse.Namespace, settings: Settings, loops: Sequence[str]
    ) -> Monitoring:
        """`--health-port`, else LEDGER_HEALTH_PORT; none for a `--once` run, which exits."""
        port = args.health_port if args.health_port is not None else settings.health_port
        return cls(settings, None if getattr(args, "once", False) else port, loops)

    def __enter__(self) -> Monitoring:
        if self.server is not None:
            self.server.start()
            host, port = self.server.address
            print(f"health: http://{host}:{port}/healthz, /readyz, /metrics", flush=True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.server is not None:
            self.server.close()

    def relay_loop(self, relay: Relay) -> Loop:
        if self.server is None:
            return relay.run
        return beating(relay.publish_batch, self.beats["relay"], RELAY_IDLE_WAIT_S)

    def projector_loop(self, projector: Projector) -> Loop:
        if self.server is None:
            return projector.run
        return beating(
            lambda: projector.poll_once(timeout_ms=PROJECTOR_POLL_MS), self.beats["projector"], 0
        )
