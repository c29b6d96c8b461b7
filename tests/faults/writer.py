"""A writer process for the fault tests: records partner commands until told to stop.

    python -m tests.faults.writer --first 1000 [--shared partner-000 ...] [--pause 0.05]

Opens the event store named by the environment (as `ledger` does) and, round after round,
enrols a partner of its own (codes from `--first` up, so writers never collide) and records
certifications for partners drawn from its own and, half the time, the `--shared` ones.
Writers sharing partners conflict on their versions, retry, and on PostgreSQL leave holes in
the notification ids, which is what a relay tailing them must cope with. SIGTERM ends the
round in progress and the process; the last line of output is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import threading

from infra.settings import Settings
from infra.store.event_store import open_ledger
from tests.builders.race_worker import ConflictCounter
from tests.builders.scenario import certify, enrol_partners

CERTIFICATIONS_PER_ROUND = 3


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    rng = random.Random(args.first)
    ledger = open_ledger(Settings.from_env())
    conflicts = ConflictCounter(ledger)
    own: list[str] = []
    certified = 0
    try:
        while not stop.is_set() and len(own) < args.max_partners:
            own += enrol_partners(ledger, 1, first=args.first + len(own))
            for _ in range(CERTIFICATIONS_PER_ROUND):
                pool = args.shared if args.shared and rng.random() < 0.5 else own
                certified += 1
                certify(ledger, rng.choice(pool), f"writer-{args.first}-person-{certified}")
            stop.wait(args.pause)
    finally:
        ledger.close()
    summary = {"enrolled": len(own), "certified": certified, "conflicts": conflicts.count}
    print(json.dumps(summary), flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.faults.writer")
    parser.add_argument("--first", type=int, required=True, help="number of its first partner")
    parser.add_argument("--shared", nargs="*", default=[], help="codes of partners to share")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between rounds")
    parser.add_argument("--max-partners", type=int, default=5000, help="a bound on the run")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
