"""One registrant in the registration race, run in its own OS process (multiprocessing, spawn).

Each worker opens its own ``Ledger`` on the shared store, then for every opportunity reference
waits at a barrier shared with the other workers and registers that opportunity for its own
partner. It reports each outcome (or the traceback of whatever went wrong) on a queue, and
exits non-zero if any registration failed.

Conflicts are counted by wrapping the application's ``save``: every ``IntegrityError`` raised
there is an optimistic-concurrency conflict that ``retry_on_conflict`` answers by deciding
again on the winner's history.

Opening the ledgers is serialized (``startup_lock``): on PostgreSQL every ``Ledger`` start runs
eventsourcing's ``CREATE OR REPLACE FUNCTION es_insert_events_uuid``, and PostgreSQL does not
lock function DDL, so processes opening at the same instant intermittently fail with
``InternalError: tuple concurrently updated`` even when the tables already exist. That startup
race is not the one under test here.
"""

from __future__ import annotations

import sys
import traceback
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.commands import RegisterDeal
from domain.ledger import Ledger
from domain.program import Specialization
from infra.store.event_store import event_store_env

REGISTERED_ON = date(2011, 2, 1)
BARRIER_TIMEOUT_S = 60.0


def registration(reference: str, partner_code: str) -> RegisterDeal:
    """The same new-business, evidenced registration every racer submits for `reference`."""
    return RegisterDeal(
        opportunity=reference,
        end_customer=f"Customer of {reference}",
        specialization=Specialization.DATA_PROTECTION,
        partner_code=partner_code,
        estimated_value=Decimal("250000"),
        expected_close=date(2011, 6, 30),
        presales_evidence=f"{partner_code}: discovery workshop and proof of concept",
        new_business=True,
        registered_on=REGISTERED_ON,
    )


class ConflictCounter:
    """Counts the version conflicts `Ledger.save` runs into, without changing what it does."""

    def __init__(self, ledger: Ledger) -> None:
        self.count = 0
        self._save = ledger.save
        ledger.save = self._counting_save  # type: ignore[method-assign]

    def _counting_save(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._save(*args, **kwargs)
        except IntegrityError:
            self.count += 1
            raise


def run(
    worker: int,
    store_url: str,
    partner_code: str,
    references: list[str],
    startup_lock: Any,
    barrier: Any,
    results: Any,
) -> None:
    """Process target: race for each reference in turn; report every outcome on `results`."""
    failed = False
    try:
        with startup_lock:
            ledger = Ledger(env=event_store_env(store_url))
    except Exception:
        results.put({"worker": worker, "error": traceback.format_exc()})
        barrier.abort()  # the others must not wait for a racer that will never arrive
        sys.exit(1)
    try:
        counter = ConflictCounter(ledger)
        for reference in references:
            outcome: dict[str, Any] = {
                "worker": worker,
                "reference": reference,
                "partner_code": partner_code,
            }
            try:
                barrier.wait(BARRIER_TIMEOUT_S)
                before = counter.count
                result = ledger.register_deal(registration(reference, partner_code))
                outcome.update(
                    reason=result.decision.reason.value,
                    decision_id=str(result.decision_id),
                    opportunity_id=str(result.opportunity_id),
                    conflicts=counter.count - before,
                )
            except Exception:
                failed = True
                outcome["error"] = traceback.format_exc()
            results.put(outcome)
    finally:
        ledger.close()
    results.put({"worker": worker, "done": True})
    if failed:
        sys.exit(1)
