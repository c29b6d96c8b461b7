"""Filling the event store with N events, and the exact Kafka messages the relay makes of them."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from itertools import cycle

from domain.ledger import Ledger
from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier

# One enrolment plus nine certifications per partner: enough events per aggregate to look like
# real use, few enough aggregates that filling stays quick.
EVENTS_PER_PARTNER = 10
# Partners saved per `ledger.save` call: one transaction of ~2,000 events, fast on SQLite and
# PostgreSQL alike, and well under any statement-size limit.
PARTNERS_PER_SAVE = 200
ENROLLED_ON = date(2010, 11, 2)
READ_PAGE = 5_000


class StoreNotEmpty(RuntimeError):
    """The event store already holds events, so the run would not measure N of its own."""


def require_empty(ledger: Ledger) -> None:
    if ledger.recorder.max_notification_id():
        raise StoreNotEmpty(
            "the event store already holds events; BENCH_DATABASE_URL must name an empty, "
            "dedicated database"
        )


def fill_ledger(ledger: Ledger, events: int) -> None:
    """Store `events` events, many aggregates per transaction; prints progress to stderr.

    Partners are built with the aggregate's own methods (so every event passes the domain's
    checks) but saved in chunks, skipping the per-command round trip of `enroll_partner`.
    """
    partner_count = -(-events // EVENTS_PER_PARTNER)
    tenths_reported = 0
    for first in range(0, partner_count, PARTNERS_PER_SAVE):
        last = min(first + PARTNERS_PER_SAVE, partner_count)
        partners = [
            new_partner(n, min(EVENTS_PER_PARTNER, events - n * EVENTS_PER_PARTNER))
            for n in range(first, last)
        ]
        ledger.save(*partners)
        stored = min(last * EVENTS_PER_PARTNER, events)
        # Integer tenths, so rounding never skips or repeats a progress line.
        if stored * 10 // events > tenths_reported:
            tenths_reported = stored * 10 // events
            print(f"  filled {stored:,}/{events:,} events", file=sys.stderr, flush=True)


def new_partner(number: int, event_count: int) -> Partner:
    """Partner `number` with one enrolment and `event_count - 1` certifications, unsaved."""
    tiers = list(Tier)
    partner = Partner.enroll(
        f"bench-partner-{number:07d}",
        f"Benchmark Partner {number}",
        tiers[number % len(tiers)],
        ENROLLED_ON,
    )
    specializations = cycle(Specialization)
    kinds = cycle(CertificationKind)
    for n in range(event_count - 1):
        effective_on = ENROLLED_ON + timedelta(days=n)
        partner.earn_certification(
            f"Individual {n}",
            next(kinds),
            next(specializations),
            effective_on,
            effective_on + timedelta(days=730),
        )
    return partner
