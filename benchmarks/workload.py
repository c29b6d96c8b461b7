"""Filling the event store with N events in the seed scenario's mix of event types.

The seed scenario (default seed and days: 120 partners over 15 months, a few thousand events
of twenty-odd types: registrations, exclusivity decisions, quotes, wins, tier reviews, ...) is
recorded once through the `Ledger` commands into a scratch store, so every event passed the
domain's checks. Its events are then copied into the benchmark's store as often as it takes
to reach N, each copy under fresh identities, so relay and projector see the mix real use
produces, not the two cheapest event types:

- every aggregate id, and every id inside a payload, becomes a uuid5 of the copy number and
  the old id; ids of events (evidence, decision ids) become the ids of the renamed events, so
  every reference still points where it pointed;
- partner codes and opportunity references get a ``-copyN`` suffix (they are unique in the
  projections);
- the program aggregate (rules, specialist roster: a few dozen events) is a singleton whose
  rules version is unique in the projections, so only the first copy holds it.

The last copy is cut at N, in notification order, so every aggregate's history is a prefix of
a valid one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from uuid import UUID, uuid5

from eventsourcing.persistence import StoredEvent

from contracts.wire.codec import event_id_text
from domain.ledger import Ledger
from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger

# Events per `insert_events` call: one transaction, fast on SQLite and PostgreSQL alike.
EVENTS_PER_SAVE = 2_000
WORKLOAD_NAMESPACE = UUID("0f6f3c1e-7f0e-4c55-9d2a-6b1de2c1a001")
PROGRAM_TOPIC = "domain.partner_program:"
UUID_HEX = re.compile(rb'"_type_":"uuid_hex","_data_":"([0-9a-f]{32})"')
UNIQUE_NAMES = re.compile(rb'"(code|reference)":"([^"]+)"')
READ_PAGE = 5_000


class StoreNotEmpty(RuntimeError):
    """The event store already holds events, so the run would not measure N of its own."""


def require_empty(ledger: Ledger) -> None:
    if ledger.recorder.max_notification_id():
        raise StoreNotEmpty(
            "the event store already holds events; BENCH_DATABASE_URL must name an empty, "
            "dedicated database"
        )


def fill_ledger(ledger: Ledger, events: int, scratch: Path) -> None:
    """Store `events` events of the seed scenario's mix; prints progress to stderr.

    `scratch` is a directory for the scenario's own SQLite store (left there, it is small).
    """
    seed = seed_events(scratch)
    stored = 0
    tenths_reported = 0
    copy = 0
    while stored < events:
        batch = renamed_copy(seed, copy)[: events - stored]
        for first in range(0, len(batch), EVENTS_PER_SAVE):
            ledger.recorder.insert_events(batch[first : first + EVENTS_PER_SAVE])
        stored += len(batch)
        copy += 1
        # Integer tenths, so rounding never skips or repeats a progress line.
        if stored * 10 // events > tenths_reported:
            tenths_reported = stored * 10 // events
            print(f"  filled {stored:,}/{events:,} events", file=sys.stderr, flush=True)


def seed_events(scratch: Path) -> list[StoredEvent]:
    """The seed scenario's stored events, in notification order."""
    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / "workload-seed.sqlite"
    path.unlink(missing_ok=True)
    settings = Settings.from_env(
        {"LEDGER_DATA_DIR": str(scratch), "LEDGER_EVENT_STORE_URL": f"sqlite:///{path}"}
    )
    ledger = open_ledger(settings)
    try:
        run_seed_scenario(ledger)
        return read_all(ledger)
    finally:
        ledger.close()


def read_all(ledger: Ledger) -> list[StoredEvent]:
    found: list[StoredEvent] = []
    position = 0
    while page := ledger.recorder.select_notifications(start=position + 1, limit=READ_PAGE):
        found += [
            StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in page
        ]
        position = page[-1].id
    return found


def renamed_copy(seed: Sequence[StoredEvent], copy: int) -> list[StoredEvent]:
    """Copy `copy` of the seed's events under fresh identities (copy 0 is the seed itself)."""
    if copy == 0:
        return list(seed)
    rename = identities(seed, copy)
    return [
        StoredEvent(
            rename_id(stored.originator_id, copy),
            stored.originator_version,
            stored.topic,
            renamed_state(stored.state, copy, rename),
        )
        for stored in seed
        if not stored.topic.startswith(PROGRAM_TOPIC)
    ]


def rename_id(old: UUID | str, copy: int) -> UUID:
    return uuid5(WORKLOAD_NAMESPACE, f"{copy}/{old}")


def identities(seed: Sequence[StoredEvent], copy: int) -> Callable[[str], str]:
    """Old hex id to new hex id: an event's id follows its renamed aggregate; any other id
    (an aggregate's) is renamed as the aggregates are."""
    events = {
        UUID(event_id_text(str(s.originator_id), s.originator_version)).hex: UUID(
            event_id_text(str(rename_id(s.originator_id, copy)), s.originator_version)
        ).hex
        for s in seed
    }
    return lambda old: events.get(old) or rename_id(UUID(old), copy).hex


def renamed_state(state: bytes, copy: int, rename: Callable[[str], str]) -> bytes:
    ids = UUID_HEX.sub(
        lambda m: b'"_type_":"uuid_hex","_data_":"%s"' % rename(m.group(1).decode()).encode(),
        state,
    )
    return UNIQUE_NAMES.sub(lambda m: b'"%s":"%s-copy%d"' % (m.group(1), m.group(2), copy), ids)
