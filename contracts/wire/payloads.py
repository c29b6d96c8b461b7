"""Payload schemas, one per published event type and schema version.

Field names equal the domain event's attribute names (the relay publishes attributes
directly; see ``catalog.wire_native_attributes``). Amounts travel as decimal strings.
"""

from __future__ import annotations

from uuid import UUID

from marshmallow import RAISE, Schema, fields, validate

from domain.program import CertificationKind, Specialization, Tier


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def _amount() -> fields.Decimal:
    return fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0))


def _text(min_length: int = 0) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=min_length))


def _specialization() -> fields.Enum[Specialization]:
    return fields.Enum(Specialization, by_value=True, required=True)


def _tier() -> fields.Enum[Tier]:
    return fields.Enum(Tier, by_value=True, required=True)


def _kind() -> fields.Enum[CertificationKind]:
    return fields.Enum(CertificationKind, by_value=True, required=True)


def _event_ids() -> fields.List[UUID]:
    return fields.List(fields.UUID(), required=True)


# --- partner ---------------------------------------------------------------------------------


class PartnerEnrolledV1(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=2, max=63))
    name = _text(1)
    legacy_tier = _tier()
    enrolled_on = fields.Date(required=True)


class CertificationEarnedV1(StrictSchema):
    individual = _text(1)
    kind = _kind()
    specialization = _specialization()
    effective_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)


class CertificationExpiredV1(StrictSchema):
    individual = _text(1)
    kind = _kind()
    specialization = _specialization()
    expired_on = fields.Date(required=True)


class CertificationRevokedV1(StrictSchema):
    individual = _text(1)
    kind = _kind()
    specialization = _specialization()
    revoked_on = fields.Date(required=True)
    reason = _text()


class SpecializationAwardedV1(StrictSchema):
    specialization = _specialization()
    contract_reference = _text(1)
    awarded_on = fields.Date(required=True)
    rules_version = _text(1)
    sales_certified = fields.Integer(required=True, validate=validate.Range(min=0))
    technical_certified = fields.Integer(required=True, validate=validate.Range(min=0))


class SpecializationWithdrawnV1(StrictSchema):
    specialization = _specialization()
    withdrawn_on = fields.Date(required=True)
    reason = _text(1)
    rules_version = _text(1)


class QualifiedRevenueCreditedV1(StrictSchema):
    opportunity_id = fields.UUID(required=True)
    amount = _amount()
    won_on = fields.Date(required=True)
    decision_id = fields.UUID(required=True)


class TierReviewedV1(StrictSchema):
    reviewed_on = fields.Date(required=True)
    rules_version = _text(1)
    tier = _tier()
    earned_tier = _tier()
    qualified_revenue = _amount()
    downgrade_due_on = fields.Date(required=True, allow_none=True)


class TierReviewedV2(TierReviewedV1):
    """Adds what the review concluded and the transition plan's floor, when one ran."""

    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["unchanged", "downgrade-pending", "held-by-plan"]),
    )
    floor_tier = fields.Enum(Tier, by_value=True, required=True, allow_none=True)


class TransitionPlanOpenedV1(StrictSchema):
    legacy_tier = _tier()
    earned_tier = _tier()
    floor_tier = _tier()
    opened_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    rules_version = _text(1)
    # What the partner lacks for its legacy tier, per requirement (zero where met).
    qualified_revenue_short = _amount()
    specializations_short = fields.Integer(required=True, validate=validate.Range(min=0))
    sales_certified_short = fields.Integer(required=True, validate=validate.Range(min=0))
    technical_certified_short = fields.Integer(required=True, validate=validate.Range(min=0))


class TransitionPlanMilestoneMetV1(StrictSchema):
    milestone = fields.String(
        required=True,
        validate=validate.OneOf(
            ["qualified-revenue", "specializations", "sales-certified", "technical-certified"]
        ),
    )
    met_on = fields.Date(required=True)
    rules_version = _text(1)


class TransitionPlanClosedV1(StrictSchema):
    closed_on = fields.Date(required=True)
    reason = fields.String(
        required=True, validate=validate.OneOf(["legacy-tier-earned", "due-date-passed"])
    )
    tier = _tier()
    rules_version = _text(1)


class TierChangedV1(StrictSchema):
    from_tier = _tier()
    to_tier = _tier()
    reviewed_on = fields.Date(required=True)
    rules_version = _text(1)
    qualified_revenue = _amount()
    evidence_event_ids = _event_ids()
    specializations_held = fields.List(fields.Enum(Specialization, by_value=True), required=True)


# --- program ---------------------------------------------------------------------------------


class ProgramStartedV1(StrictSchema):
    name = _text(1)
    started_on = fields.Date(required=True)


class RulesPublishedV1(StrictSchema):
    version = _text(1)
    effective_from = fields.Date(required=True)
    # The whole rule set, as published (see contracts.inputs.rules_schema for its shape).
    document = fields.Dict(keys=fields.String(), required=True)


class SpecialistAdmittedV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    admitted_on = fields.Date(required=True)


class SpecialistRemovedV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    removed_on = fields.Date(required=True)


# --- opportunity -----------------------------------------------------------------------------


class OpportunityOpenedV1(StrictSchema):
    reference = _text(1)
    end_customer = _text(1)
    specialization = _specialization()
    opened_on = fields.Date(required=True)


class CustomerIdentifiedV1(StrictSchema):
    normalized_name = _text(1)
    company_identifier = fields.String(required=True, allow_none=True)
    claim_keys = fields.List(fields.String(validate=validate.Length(min=1)), required=True)
    identified_on = fields.Date(required=True)


class ConflictSuspectedV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    rule_reason_code = _text(1)
    rules_version = _text(1)
    evidence_event_ids = _event_ids()
    decided_on = fields.Date(required=True)
    conflicting_opportunity_id = fields.UUID(required=True)
    conflicting_reference = _text(1)
    matched_keys = fields.List(fields.String(validate=validate.Length(min=1)), required=True)


class VendorSalesEngagedV1(StrictSchema):
    engaged_on = fields.Date(required=True)
    note = _text()


class OpportunityRegisteredV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    estimated_value = _amount()
    expected_close = fields.Date(required=True)
    presales_evidence = _text()
    new_business = fields.Boolean(required=True)
    registered_on = fields.Date(required=True)


class ExclusivityGrantedV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    reason_code = _text(1)
    rules_version = _text(1)
    evidence_event_ids = _event_ids()
    decided_on = fields.Date(required=True)
    valid_until = fields.Date(required=True)


class ExclusivityDeniedV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    reason_code = _text(1)
    rules_version = _text(1)
    evidence_event_ids = _event_ids()
    decided_on = fields.Date(required=True)


class ExclusivityExpiredV1(StrictSchema):
    decision_id = fields.UUID(required=True)
    partner_id = fields.UUID(required=True)
    expired_on = fields.Date(required=True)


class ExclusivityReleasedV1(StrictSchema):
    decision_id = fields.UUID(required=True)
    partner_id = fields.UUID(required=True)
    released_on = fields.Date(required=True)
    reason = _text()


class QuoteIssuedV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    list_price = _amount()
    tier = _tier()
    tier_discount = _amount()
    registration_uplift = _amount()
    net_price = _amount()
    protection = fields.String(
        required=True, validate=validate.OneOf(["unprotected", "holder", "protected-for-another"])
    )
    decision_id = fields.UUID(required=True, allow_none=True)
    rules_version = _text(1)
    issued_on = fields.Date(required=True)


class QuoteIssuedV2(QuoteIssuedV1):
    """Adds the quotes of a partner that registered its pre-sales work without exclusivity."""

    protection = fields.String(
        required=True,
        validate=validate.OneOf(
            [
                "unprotected",
                "holder",
                "protected-for-another",
                "preferred",
                "preferred-another-protected",
            ]
        ),
    )


class RegisteredNonExclusiveV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    reason_code = _text(1)
    rules_version = _text(1)
    evidence_event_ids = _event_ids()
    decided_on = fields.Date(required=True)
    valid_until = fields.Date(required=True)


class BenefitsGrantedV1(StrictSchema):
    decision_id = fields.UUID(required=True)
    partner_id = fields.UUID(required=True)
    presales_engineer_days = fields.Integer(required=True, validate=validate.Range(min=0))
    extended_support = fields.Boolean(required=True)
    granted_on = fields.Date(required=True)
    rules_version = _text(1)


class EngineerDaysConsumedV1(StrictSchema):
    decision_id = fields.UUID(required=True)
    partner_id = fields.UUID(required=True)
    days = fields.Integer(required=True, validate=validate.Range(min=1))
    consumed_on = fields.Date(required=True)
    note = _text()


class BenefitsEndedV1(StrictSchema):
    decision_id = fields.UUID(required=True)
    partner_id = fields.UUID(required=True)
    ended_on = fields.Date(required=True)
    unused_engineer_days = fields.Integer(required=True, validate=validate.Range(min=0))
    reason = fields.String(
        required=True,
        validate=validate.OneOf(
            ["protection-expired", "protection-released", "opportunity-won", "opportunity-lost"]
        ),
    )


class OpportunityWonV1(StrictSchema):
    partner_id = fields.UUID(required=True)
    amount = _amount()
    won_on = fields.Date(required=True)
    qualified = fields.Boolean(required=True)
    decision_id = fields.UUID(required=True, allow_none=True)


class OpportunityLostV1(StrictSchema):
    lost_on = fields.Date(required=True)
    reason = _text()


class OpportunityLostV2(OpportunityLostV1):
    """Adds who won the deal instead; null when the vendor does not know."""

    lost_to = fields.String(required=True, allow_none=True, validate=validate.Length(1, 200))


# --- customer claim --------------------------------------------------------------------------


class CustomerClaimedV1(StrictSchema):
    key = _text(1)
    specialization = _specialization()
    opportunity_id = fields.UUID(required=True)
    reference = _text(1)
    claimed_on = fields.Date(required=True)


class CustomerReclaimedV1(StrictSchema):
    opportunity_id = fields.UUID(required=True)
    reference = _text(1)
    claimed_on = fields.Date(required=True)


class CustomerClaimReleasedV1(StrictSchema):
    opportunity_id = fields.UUID(required=True)
    released_on = fields.Date(required=True)
    reason = _text(1)


# --- notice ----------------------------------------------------------------------------------


class NoticeIssuedV1(StrictSchema):
    """A partner told in advance of what time will do: `subject` is its own deal's reference,
    its certified individual or its tier; no other partner is ever named."""

    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            ["protection-expiring", "certification-expiring", "downgrade-pending"]
        ),
    )
    partner_id = fields.UUID(required=True)
    partner_code = fields.String(required=True, validate=validate.Length(min=2, max=63))
    subject = _text(1)
    detail = _text()
    due_on = fields.Date(required=True)
    days_before = fields.Integer(required=True, validate=validate.Range(min=1))
    issued_on = fields.Date(required=True)
