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
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.commands import RegisterDeal
from domain.company_identifier import luhn_valid
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


# How each racer spells the one customer of a round: case, accents and legal forms differ.
CUSTOMER_SPELLINGS = ("{name}", "{upper} SA", "{name}, S.A.R.L.", "{accented} Ltd.")


def siren_of(round_number: int) -> str:
    """A valid SIREN per round: eight digits and the Luhn check digit that completes them."""
    body = f"{73282932 + round_number:08d}"
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("one check digit always completes a Luhn number")


def customer_registration(round_reference: str, worker: int, partner_code: str) -> RegisterDeal:
    """Each racer's own reference for the round's one customer: on even rounds the customer is
    recognised by its name spelled four ways, on odd rounds by its SIREN under four names
    (one racer gives it as a SIRET, one as a French VAT number)."""
    number = int(round_reference.rsplit("-", 1)[1])
    if number % 2 == 0:
        name = f"Etudes {round_reference}"
        spelling = CUSTOMER_SPELLINGS[worker % len(CUSTOMER_SPELLINGS)]
        customer = spelling.format(
            name=name, upper=name.upper(), accented=name.replace("Etudes", "Études")
        )
        company = None
    else:
        siren = siren_of(number)
        customer = f"Trading name {worker} of {round_reference}"
        key = (12 + 3 * (int(siren) % 97)) % 97
        company = (siren, siret_of(siren), f"FR{key:02d}{siren}")[worker % 3]
    return replace(
        registration(f"{round_reference}-racer-{worker}", partner_code),
        end_customer=customer,
        company_identifier=company,
    )


def siret_of(siren: str) -> str:
    for establishment in range(10, 100):
        candidate = f"{siren}000{establishment:02d}"
        if luhn_valid(candidate):
            return candidate
    raise AssertionError("some establishment number completes a Luhn SIRET")


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
    one_customer: bool = False,
) -> None:
    """Process target: race for each reference in turn; report every outcome on `results`.

    With `one_customer`, each racer registers its own reference for the round's customer
    (see customer_registration) instead of all racers registering the same reference."""
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
                command = (
                    customer_registration(reference, worker, partner_code)
                    if one_customer
                    else registration(reference, partner_code)
                )
                result = ledger.register_deal(command)
                outcome.update(
                    registered=command.opportunity,
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
