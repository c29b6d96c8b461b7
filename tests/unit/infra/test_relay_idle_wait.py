"""The relay waits as long when idle under a health port (compose, `ledger up --health-port`)
as without one: the wait is the floor of command-to-Kafka latency, so it must be one setting."""

from __future__ import annotations

import threading
from typing import Any, cast

from infra.ops.monitored_loops import Monitoring
from infra.relay.relay import Relay
from infra.settings import Settings


class IdleRelay:
    """A relay whose store never has anything new."""

    def publish_batch(self) -> int:
        return 0


class RecordingStop(threading.Event):
    """Stops a loop at its first idle wait, remembering how long the loop asked to wait."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        self.set()
        return True


def idle_wait_of(loop: Any) -> float | None:
    stop = RecordingStop()
    loop(stop)
    return stop.waits[0]


def test_a_monitored_relay_waits_as_long_as_relay_run_when_idle():
    relay = cast(Relay, IdleRelay())
    monitoring = Monitoring(Settings.from_env({}), 0, ["relay"])
    plain = idle_wait_of(lambda stop: Relay.run(relay, stop))
    monitored = idle_wait_of(monitoring.relay_loop(relay))
    assert plain == monitored == Relay.IDLE_WAIT_S


def test_without_a_health_port_the_relay_runs_its_own_loop():
    relay = Relay.__new__(Relay)
    assert Monitoring(Settings.from_env({}), None, ["relay"]).relay_loop(relay) == relay.run
