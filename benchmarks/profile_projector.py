"""Where a projector drain spends its time: ``python -m benchmarks.profile_projector``.

Fills a private store with BENCH_EVENTS events (default 20,000), relays them to a private
broker (unless KAFKA_BOOTSTRAP_SERVERS is set), then prints cProfile's top functions for one
replay (`infra.audit.replay.replay_into`) of those topics into a fresh SQLite file, by own time
and by cumulative time. BENCH_PROFILE_TOP sets how many lines (default 25).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
from collections.abc import Mapping
from contextlib import ExitStack

from benchmarks.environment import data_directory, kafka_broker, new_workspace
from benchmarks.run import log, positive_int
from benchmarks.workload import fill_ledger, require_empty
from infra.audit.replay import replay_into
from infra.bootstrap import open_relay
from infra.store.event_store import open_ledger

DEFAULT_EVENTS = 20_000


def main(environ: Mapping[str, str] = os.environ) -> int:
    events = positive_int(environ, "BENCH_EVENTS", DEFAULT_EVENTS)
    top = positive_int(environ, "BENCH_PROFILE_TOP", 25)
    with ExitStack() as stack:
        scratch = stack.enter_context(data_directory(environ))
        broker = stack.enter_context(kafka_broker(scratch / "kafka", environ))
        workspace = new_workspace(scratch / "data", broker.bootstrap_servers, environ)
        settings = workspace.settings_for("relay")
        ledger = open_ledger(settings)
        stack.callback(ledger.close)
        require_empty(ledger)
        log(f"filling the {workspace.store_kind} event store with {events:,} events (untimed)")
        fill_ledger(ledger, events, scratch / "workload")
        relay = open_relay(settings, ledger)
        try:
            relay.drain()
        finally:
            relay.close()
        replay_settings = workspace.settings_for("replay", reading="relay")
        profiler = cProfile.Profile()
        projected = profiler.runcall(replay_into, replay_settings, replay_settings.projections_url)
    log(f"replay projected {projected:,} events under cProfile")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
