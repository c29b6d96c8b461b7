"""`ledger relay | project | up`: moving events from the store to Kafka to the projections."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from cli.declare import command

if TYPE_CHECKING:
    from infra.settings import Settings


def relay(args: argparse.Namespace, settings: Settings) -> int:
    from infra.bootstrap import close_relay, open_relay_on_its_store
    from infra.ops.monitored_loops import Monitoring
    from infra.ops.resuming import resuming
    from infra.output import Progress

    # Health is served from before the relay opens: not ready until its loop makes progress.
    with Monitoring.for_command(args, settings, ["relay"]) as monitoring:
        if not args.once:
            opened = partial(open_relay_on_its_store, settings)
            run_until_signalled([resuming("relay", opened, monitoring.relay_loop, close_relay)])
            return 0
        running = open_relay_on_its_store(settings)
        try:
            waiting = (running.ledger.recorder.max_notification_id() or 0) - running.position
            with Progress("relay: events published", total=waiting) as shown:
                count = running.drain(on_progress=shown)
            print(f"relay: published up to position {running.position} ({count} events this run)")
        finally:
            close_relay(running)
    return 0


def project(args: argparse.Namespace, settings: Settings) -> int:
    from consumers.projector import Projector
    from infra.bootstrap import open_projector
    from infra.ops.monitored_loops import Monitoring
    from infra.ops.resuming import resuming
    from infra.output import Progress

    with Monitoring.for_command(args, settings, ["projector"]) as monitoring:
        if not args.once:
            opened = partial(open_projector, settings)
            run_until_signalled(
                [resuming("projector", opened, monitoring.projector_loop, Projector.close)]
            )
            return 0
        projector = open_projector(settings)
        try:
            with Progress("projector: events projected") as shown:
                count = projector.drain(on_progress=shown)
            print(f"projector: projected {count} events")
        finally:
            projector.close()
    return 0


def up(args: argparse.Namespace, settings: Settings) -> int:
    from consumers.projector import Projector
    from infra.bootstrap import close_relay, open_projector, open_relay_on_its_store
    from infra.kafka.broker import ensure_broker
    from infra.ops.monitored_loops import Monitoring
    from infra.ops.resuming import resuming

    ensure_broker(settings)
    with Monitoring.for_command(args, settings, ["relay", "projector"]) as monitoring:
        print(
            f"relay and projector running against {settings.kafka_bootstrap_servers}; Ctrl-C stops"
        )
        # Each waits out the database on its own (infra.ops.resuming): a restart of PostgreSQL
        # makes them not ready for a while, never ends the process.
        run_until_signalled(
            [
                resuming(
                    "relay",
                    partial(open_relay_on_its_store, settings),
                    monitoring.relay_loop,
                    close_relay,
                ),
                resuming(
                    "projector",
                    partial(open_projector, settings),
                    monitoring.projector_loop,
                    Projector.close,
                ),
            ]
        )
    return 0


def run_until_signalled(loops: list[Callable[[threading.Event], None]]) -> None:
    """Run each loop in a thread until SIGINT or SIGTERM; a loop that fails stops the others.

    Both signals stop the loops cleanly; SIGINT (Ctrl-C) then ends as KeyboardInterrupt, so the
    command exits 130 as a Ctrl-C'd command does, while SIGTERM (the service manager's stop)
    exits 0.
    """
    stop = threading.Event()
    errors: list[BaseException] = []
    received: list[int] = []

    def on_signal(signum: int, _: object) -> None:
        received.append(signum)
        stop.set()

    def guarded(loop: Callable[[threading.Event], None]) -> None:
        try:
            loop(stop)
        except BaseException as error:  # report any failure, then stop the siblings
            errors.append(error)
            stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    threads = [threading.Thread(target=guarded, args=(loop,), daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        stop.wait(0.5)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    if signal.SIGINT in received:
        raise KeyboardInterrupt


def declare(commands: Any) -> None:
    for name, handler, what in (
        ("relay", relay, "publish stored events to Kafka"),
        ("project", project, "consume Kafka into the projections"),
    ):
        p = command(
            commands,
            name,
            handler,
            help=what,
            example=f"{name} --once   (or, long-running: ledger {name} --health-port 8090)",
        )
        p.add_argument("--once", action="store_true", help="drain what is there, then exit")
        _add_health_port(p)

    p = command(
        commands,
        "up",
        up,
        help="start the broker if local, then run relay and projector",
        example="up --health-port 8090   (Ctrl-C stops both)",
    )
    _add_health_port(p)


def _add_health_port(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--health-port",
        type=int,
        default=None,
        metavar="PORT",
        help="serve /healthz, /readyz and /metrics on this port while running "
        "(default: LEDGER_HEALTH_PORT, else none; 0 picks a free port)",
    )
