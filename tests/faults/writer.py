"""A writer process for the fault tests: records partner commands until told to stop.

    python -m tests.faults.writer --first 1000 [--shared partner-000 ...] [--pause 0.05]

Opens the event store named by the environment (as `ledger` does) and, round after round,
enrols a partner of its own (codes from `--first` up, so writers never collide) and records
certifications for partners drawn from its own and, half the time, the `--shared` ones.
Writers sharing partners conflict on their versions, retry, and on PostgreSQL leave holes in
the notification ids, which is what a relay tailing them must cope with. SIGTERM ends the
round in progress and the process; the last line of output is a JSON summary.

With `--through-restarts`, a command that fails because the database is away (restarting) is
counted and dropped, as a client whose request timed out would drop it, and the writer goes on
once the database answers again. A dropped enrolment may still have committed, so the next
enrolment takes a fresh code rather than retrying the same one.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import threading
from collections.abc import Callable
from typing import Any

from domain.errors import PartnerAlreadyEnrolled
from domain.ledger import Ledger
from infra.settings import Settings
from infra.store.availability import database_unavailable
from infra.store.event_store import open_ledger
from tests.builders.race_worker import ConflictCounter
from tests.builders.scenario import certify, enrol_partners, partner_code

CERTIFICATIONS_PER_ROUND = 3


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    rng = random.Random(args.first)
    ledger = open_ledger(Settings.from_env())
    conflicts = ConflictCounter(ledger)
    own: list[str] = []
    certified = codes = dropped = 0

    def attempt(command: Callable[..., Any], *arguments: Any, **named: Any) -> Any:
        """The command's result, or None when it was dropped (see --through-restarts)."""
        nonlocal dropped
        try:
            return command(*arguments, **named)
        except Exception as error:
            if not (args.through_restarts and database_unavailable(error)):
                raise
            dropped += 1
            stop.wait(0.2)
            return None

    try:
        while not stop.is_set() and len(own) < args.max_partners:
            enrolled = attempt(enrol_own, ledger, args.first + codes, args.through_restarts)
            codes += 1
            if enrolled is None:
                continue
            own += enrolled
            for _ in range(CERTIFICATIONS_PER_ROUND):
                pool = args.shared if args.shared and rng.random() < 0.5 else own
                certified += 1
                person = f"writer-{args.first}-person-{certified}"
                attempt(certify, ledger, rng.choice(pool), person)
            stop.wait(args.pause)
    finally:
        ledger.close()
    summary = {
        "enrolled": len(own),
        "certified": certified,
        "conflicts": conflicts.count,
        "dropped": dropped,
    }
    print(json.dumps(summary), flush=True)


def enrol_own(ledger: Ledger, number: int, through_restarts: bool) -> list[str]:
    """Enrol this writer's partner `number`, which no one else enrols.

    Through restarts, "already enrolled" means the same request committed already: the
    connection dropped after the commit and the recorder's own retry found the row there.
    """
    try:
        return enrol_partners(ledger, 1, first=number)
    except PartnerAlreadyEnrolled:
        if not through_restarts:
            raise
        return [partner_code(number)]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.faults.writer")
    parser.add_argument("--first", type=int, required=True, help="number of its first partner")
    parser.add_argument("--shared", nargs="*", default=[], help="codes of partners to share")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between rounds")
    parser.add_argument(
        "--through-restarts",
        action="store_true",
        help="drop a command the database was away for, and go on",
    )
    parser.add_argument("--max-partners", type=int, default=5000, help="a bound on the run")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
