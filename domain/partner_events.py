"""The events a Partner records; the aggregate adopts them so their stored topics stay put."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.program import CertificationKind, Specialization, Tier


class Enrolled(Aggregate.Created):
    code: str
    name: str
    legacy_tier: Tier
    enrolled_on: date


class CertificationEarned(Aggregate.Event):
    individual: str
    kind: CertificationKind
    specialization: Specialization
    effective_on: date
    expires_on: date


class CertificationExpired(Aggregate.Event):
    individual: str
    kind: CertificationKind
    specialization: Specialization
    expired_on: date


class CertificationRevoked(Aggregate.Event):
    individual: str
    kind: CertificationKind
    specialization: Specialization
    revoked_on: date
    reason: str


class SpecializationAwarded(Aggregate.Event):
    specialization: Specialization
    contract_reference: str
    awarded_on: date
    rules_version: str
    sales_certified: int
    technical_certified: int


class SpecializationWithdrawn(Aggregate.Event):
    specialization: Specialization
    withdrawn_on: date
    reason: str
    rules_version: str


class QualifiedRevenueCredited(Aggregate.Event):
    opportunity_id: UUID
    amount: Decimal
    won_on: date
    decision_id: UUID


class TierReviewed(Aggregate.Event):
    """Version 2 says what the review concluded (`outcome`: unchanged, downgrade-pending,
    held-by-plan) and the floor of the transition plan that ran (`floor_tier`)."""

    class_version = 2
    reviewed_on: date
    rules_version: str
    tier: Tier
    earned_tier: Tier
    qualified_revenue: Decimal
    downgrade_due_on: date | None
    outcome: str
    floor_tier: Tier | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        # Version 1 recorded only reviews that changed nothing or announced a downgrade,
        # and there were no plans then.
        pending = state.get("downgrade_due_on") is not None
        state["outcome"] = "downgrade-pending" if pending else "unchanged"
        state["floor_tier"] = None


class TransitionPlanOpened(Aggregate.Event):
    legacy_tier: Tier
    earned_tier: Tier
    floor_tier: Tier
    opened_on: date
    due_on: date
    rules_version: str
    qualified_revenue_short: Decimal
    specializations_short: int
    sales_certified_short: int
    technical_certified_short: int


class TransitionPlanMilestoneMet(Aggregate.Event):
    milestone: str
    met_on: date
    rules_version: str


class TransitionPlanClosed(Aggregate.Event):
    closed_on: date
    reason: str
    tier: Tier
    rules_version: str


class TierChanged(Aggregate.Event):
    from_tier: Tier
    to_tier: Tier
    reviewed_on: date
    rules_version: str
    qualified_revenue: Decimal
    evidence_event_ids: list[UUID]
    specializations_held: list[Specialization]
