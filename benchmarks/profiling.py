"""Where a relay drain or a replay spends its time: ``python -m benchmarks.profiling relay|replay``.

Fills a private store with BENCH_EVENTS events (default 20,000) and starts a private broker
unless KAFKA_BOOTSTRAP_SERVERS is set. `relay` profiles one `Relay.drain()` of the store;
`replay` relays the store (untimed), then profiles one replay (`infra.audit.replay.replay_into`)
of those topics into a fresh SQLite file. Prints cProfile's top functions by own time and by
cumulative time; BENCH_PROFILE_TOP sets how many lines (default 25).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack

from benchmarks.environment import Workspace, data_directory, kafka_broker, new_workspace
from benchmarks.measurements import reset_relay_checkpoint, warm_up_metadata
from benchmarks.run import log, positive_int
from benchmarks.workload import fill_ledger, require_empty
from domain.ledger import Ledger
from infra.audit.replay import replay_into
from infra.bootstrap import open_relay
from infra.kafka.topics import ledger_topics
from infra.store.event_store import open_ledger

DEFAULT_EVENTS = 20_000


def profile_relay(workspace: Workspace, ledger: Ledger, profiler: cProfile.Profile) -> str:
    settings = workspace.settings_for("relay")
    reset_relay_checkpoint(settings)
    relay = open_relay(settings, ledger)
    try:
        warm_up_metadata(relay.producer, ledger_topics(settings))
        drained = profiler.runcall(relay.drain)
    finally:
        relay.close()
    return f"relay drained {drained:,} events under cProfile"


def profile_replay(workspace: Workspace, ledger: Ledger, profiler: cProfile.Profile) -> str:
    relay = open_relay(workspace.settings_for("relay"), ledger)
    try:
        relay.drain()
    finally:
        relay.close()
    settings = workspace.settings_for("replay", reading="relay")
    projected = profiler.runcall(replay_into, settings, settings.projections_url)
    return f"replay projected {projected:,} events under cProfile"


PROFILED: dict[str, Callable[[Workspace, Ledger, cProfile.Profile], str]] = {
    "relay": profile_relay,
    "replay": profile_replay,
}


def main(argv: Sequence[str] = sys.argv[1:], environ: Mapping[str, str] = os.environ) -> int:
    if len(argv) != 1 or argv[0] not in PROFILED:
        print(f"usage: python -m benchmarks.profiling {'|'.join(PROFILED)}", file=sys.stderr)
        return 2
    events = positive_int(environ, "BENCH_EVENTS", DEFAULT_EVENTS)
    top = positive_int(environ, "BENCH_PROFILE_TOP", 25)
    profiler = cProfile.Profile()
    with ExitStack() as stack:
        scratch = stack.enter_context(data_directory(environ))
        broker = stack.enter_context(kafka_broker(scratch / "kafka", environ))
        workspace = new_workspace(scratch / "data", broker.bootstrap_servers, environ)
        ledger = open_ledger(workspace.settings_for("relay"))
        stack.callback(ledger.close)
        require_empty(ledger)
        log(f"filling the {workspace.store_kind} event store with {events:,} events (untimed)")
        fill_ledger(ledger, events, scratch / "workload")
        log(PROFILED[argv[0]](workspace, ledger, profiler))
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
