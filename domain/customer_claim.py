"""The CustomerClaim aggregate: which open opportunity holds one way of recognising an end
customer (a normalized name or a company's key) in one specialization.

Its id is derived from the key and the specialization, so every process finds the same claim
without a lookup. An opportunity takes its claims in the transaction that opens it; two
processes opening opportunities for one customer under two references both write the claim's
next version, and optimistic concurrency refuses the second. The loser decides again and finds
the claim held: its registration is then a suspected conflict, never a second protection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import name_based_id
from domain.program import Specialization


class CustomerClaim(Aggregate):
    """One claim key of one end customer in one specialization, and the opportunity on it."""

    class Claimed(Aggregate.Created):
        key: str
        specialization: Specialization
        opportunity_id: UUID
        reference: str
        claimed_on: date

    class Reclaimed(Aggregate.Event):
        opportunity_id: UUID
        reference: str
        claimed_on: date

    class Released(Aggregate.Event):
        opportunity_id: UUID
        released_on: date
        reason: str

    @staticmethod
    def create_id(key: str, specialization: Specialization) -> UUID:
        return name_based_id("customer-claim", f"{specialization.value}/{key}")

    @event(Claimed)
    def __init__(
        self,
        key: str,
        specialization: Specialization,
        opportunity_id: UUID,
        reference: str,
        claimed_on: date,
    ) -> None:
        self.key = key
        self.specialization = specialization
        self.holder: UUID | None = opportunity_id
        self.holder_reference: str | None = reference

    def held_by_another(self, opportunity_id: UUID) -> bool:
        return self.holder is not None and self.holder != opportunity_id

    def take(self, opportunity_id: UUID, reference: str, on: date) -> None:
        """Take a claim nobody holds (its last holder closed); holding it already is a no-op."""
        if self.holder == opportunity_id:
            return
        assert self.holder is None  # the ledger checks held_by_another first
        self._reclaimed(opportunity_id, reference, on)

    def release(self, opportunity_id: UUID, on: date, reason: str) -> None:
        """The opportunity closed: its customer can be registered again under a new reference."""
        if self.holder == opportunity_id:
            self._released(opportunity_id, on, reason)

    @event(Reclaimed)
    def _reclaimed(self, opportunity_id: UUID, reference: str, claimed_on: date) -> None:
        self.holder = opportunity_id
        self.holder_reference = reference

    @event(Released)
    def _released(self, opportunity_id: UUID, released_on: date, reason: str) -> None:
        self.holder = None
        self.holder_reference = None


@dataclass(frozen=True)
class CustomerConflict:
    """Another open opportunity holding some of this opportunity's claim keys."""

    opportunity_id: UUID
    reference: str
    matched_keys: tuple[str, ...]


def conflict_among(claims: list[CustomerClaim], opportunity_id: UUID) -> CustomerConflict | None:
    """The first other opportunity holding any of these claims, with every key it holds."""
    held = [claim for claim in claims if claim.held_by_another(opportunity_id)]
    if not held:
        return None
    first = held[0]
    assert first.holder is not None
    assert first.holder_reference is not None
    keys = tuple(claim.key for claim in held if claim.holder == first.holder)
    return CustomerConflict(first.holder, first.holder_reference, keys)
