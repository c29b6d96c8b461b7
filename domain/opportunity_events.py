"""The events an Opportunity records; the aggregate adopts them so stored topics stay put."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.program import Specialization, Tier


class Opened(Aggregate.Created):
    reference: str
    end_customer: str
    specialization: Specialization
    opened_on: date


class VendorSalesEngaged(Aggregate.Event):
    engaged_on: date
    note: str


class Registered(Aggregate.Event):
    partner_id: UUID
    estimated_value: Decimal
    expected_close: date
    presales_evidence: str
    new_business: bool
    registered_on: date


class ExclusivityGranted(Aggregate.Event):
    partner_id: UUID
    reason_code: str
    rules_version: str
    evidence_event_ids: list[UUID]
    decided_on: date
    valid_until: date


class ExclusivityDenied(Aggregate.Event):
    partner_id: UUID
    reason_code: str
    rules_version: str
    evidence_event_ids: list[UUID]
    decided_on: date


class RegisteredNonExclusive(Aggregate.Event):
    """Pre-sales work by a partner that is not the area's specialist: preferential
    conditions until `valid_until`, neither exclusivity nor the best price."""

    partner_id: UUID
    reason_code: str
    rules_version: str
    evidence_event_ids: list[UUID]
    decided_on: date
    valid_until: date


class BenefitsGranted(Aggregate.Event):
    decision_id: UUID
    partner_id: UUID
    presales_engineer_days: int
    extended_support: bool
    granted_on: date
    rules_version: str


class EngineerDaysConsumed(Aggregate.Event):
    decision_id: UUID
    partner_id: UUID
    days: int
    consumed_on: date
    note: str


class BenefitsEnded(Aggregate.Event):
    decision_id: UUID
    partner_id: UUID
    ended_on: date
    unused_engineer_days: int
    reason: str


class ExclusivityExpired(Aggregate.Event):
    decision_id: UUID
    partner_id: UUID
    expired_on: date


class ExclusivityReleased(Aggregate.Event):
    decision_id: UUID
    partner_id: UUID
    released_on: date
    reason: str


class QuoteIssued(Aggregate.Event):
    """Version 2 adds the two preferential kinds of quote to `protection`."""

    class_version = 2
    partner_id: UUID
    list_price: Decimal
    tier: Tier
    tier_discount: Decimal
    registration_uplift: Decimal
    net_price: Decimal
    protection: str
    decision_id: UUID | None
    rules_version: str
    issued_on: date

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        # Version 1's three kinds of quote mean the same in version 2.
        return


class Won(Aggregate.Event):
    partner_id: UUID
    amount: Decimal
    won_on: date
    qualified: bool
    decision_id: UUID | None


class Lost(Aggregate.Event):
    """Version 2 names who won the deal instead (`lost_to`), when the vendor knows."""

    class_version = 2
    lost_on: date
    reason: str
    lost_to: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        # Losses recorded before version 2 did not say to whom: unknown, not guessed.
        state["lost_to"] = None


class CustomerIdentified(Aggregate.Event):
    """Who the end customer is, recorded just after the opening: the normalized name, the
    company identifier when one was given, and the claim keys the opportunity holds or waits
    for (see domain.customer_claim). Opportunities opened before identities have none."""

    normalized_name: str
    company_identifier: str | None
    claim_keys: list[str]
    identified_on: date


class ConflictSuspected(Aggregate.Event):
    """A registration the rule would have granted (or preferred) while another open
    opportunity holds the same customer in the same specialization: it waits for a channel
    manager. `rule_reason_code` is what the rule decided; the conflicting opportunity is for
    the channel manager's eyes, never the partner's."""

    partner_id: UUID
    rule_reason_code: str
    rules_version: str
    evidence_event_ids: list[UUID]
    decided_on: date
    conflicting_opportunity_id: UUID
    conflicting_reference: str
    matched_keys: list[str]
