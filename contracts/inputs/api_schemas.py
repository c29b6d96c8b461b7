"""The HTTP API's wire contract beyond the command schemas: query parameters, responses and
problem details.

Requests that change the ledger use the command schemas in ``contracts.inputs.commands`` as they
are; these describe what the API answers, and are the source of its OpenAPI document. Amounts are
strings, so no client reads a price through a binary float.
"""

from __future__ import annotations

import enum
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from contracts.inputs.business_dates import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE
from contracts.inputs.rules_schema import ProgramRulesSchema
from domain.exclusivity import ExclusivityReason
from domain.pricing import Protection
from domain.program import Specialization, Tier

MAX_WITHIN_DAYS = 3650
# Pages of list endpoints (GET /partners, ...): the whole seed program fits one default page.
DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000


PARTNER_CODE = r"^[a-z0-9][a-z0-9-]{1,62}$"


def _date(**kwargs: object) -> fields.Date:
    return fields.Date(
        validate=validate.Range(min=EARLIEST_DATE, max=LATEST_DATE, error=OUT_OF_RANGE),
        **kwargs,  # type: ignore[arg-type]
    )


def _value_of(kind: type[enum.Enum], **kwargs: Any) -> fields.String:
    """A string that is one of an enum's values: answers carry the value the projections store
    (not the member), and the document lists the values as the event schemas do."""
    return fields.String(validate=validate.OneOf([m.value for m in kind]), **kwargs)


def _amount() -> fields.Decimal:
    # The rule of the events' amounts (contracts.wire.payloads), so that the OpenAPI document
    # describes an amount as the published event schemas do: a non-negative decimal string.
    return fields.Decimal(as_string=True, required=True, validate=validate.Range(min=0))


class _Query(Schema):
    class Meta:
        unknown = RAISE


class PageQuerySchema(_Query):
    """Which page of a list: the links to the others are in the answer's `Link` header."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "the page, from 1 (past the last: an empty list)"},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": "items per page"},
    )


class AsOfQuerySchema(_Query):
    as_of = _date(metadata={"description": "business date (default: today)"})


class PartnerQuerySchema(AsOfQuerySchema, PageQuerySchema):
    tier = fields.Enum(Tier, by_value=True)
    specialization = fields.Enum(Specialization, by_value=True)


class ExpiringQuerySchema(AsOfQuerySchema, PageQuerySchema):
    within = fields.Integer(
        load_default=30,
        validate=validate.Range(min=0, max=MAX_WITHIN_DAYS),
        metadata={"description": "days from as_of"},
    )


class TierChangesQuerySchema(PageQuerySchema):
    partner = fields.String(
        validate=validate.Regexp(
            PARTNER_CODE, error="must be 2-63 lowercase letters, digits or hyphens"
        )
    )


class StatementQuerySchema(_Query):
    partner = fields.String(
        validate=validate.Regexp(
            PARTNER_CODE, error="must be 2-63 lowercase letters, digits or hyphens"
        ),
        metadata={
            "description": "whose registration (staff tokens; a partner token reads its own)"
        },
    )
    as_of = _date(
        metadata={"description": "the latest decision made on or before it (default: the latest)"}
    )


class SweepSchema(Schema):
    """``POST /commands/sweep``: apply expiries and due tier reviews up to a date."""

    class Meta:
        unknown = RAISE

    as_of = _date(required=True)


class PartnerStatusSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    tier = _value_of(Tier, required=True)
    legacy_tier = _value_of(Tier, required=True)
    enrolled_on = fields.Date(required=True)
    active_sales_certifications = fields.Integer(required=True)
    active_technical_certifications = fields.Integer(required=True)
    certified_specializations = fields.List(fields.String(), required=True)
    certifications_by_specialization = fields.Dict(
        keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer())
    )
    specializations = fields.List(fields.String(), required=True)
    qualified_revenue = _amount()
    protected_opportunities = fields.Integer(required=True)
    in_transition = fields.Boolean(required=True)


class DecisionSchema(Schema):
    decision_id = fields.String(required=True)
    opportunity = fields.String(required=True)
    partner = fields.String(required=True)
    outcome = fields.String(required=True)
    reason_code = _value_of(ExclusivityReason, required=True)
    rules_version = fields.String(required=True)
    # Left out of what a partner sees: a denial's evidence is the protecting decision.
    evidence_event_ids = fields.List(fields.String())
    decided_on = fields.Date(required=True)
    valid_until = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)


class QuoteSchema(Schema):
    quote_id = fields.String(required=True)
    opportunity = fields.String(required=True)
    partner = fields.String(required=True)
    tier = _value_of(Tier, required=True)
    list_price = _amount()
    tier_discount = _amount()
    registration_uplift = _amount()
    net_price = _amount()
    protection = _value_of(Protection, required=True)
    decision_id = fields.String(allow_none=True)
    issued_on = fields.Date(required=True)


class DealHistorySchema(Schema):
    opportunity = fields.String(required=True)
    decisions = fields.List(fields.Nested(DecisionSchema), required=True)
    quotes = fields.List(fields.Nested(QuoteSchema), required=True)


class StatementSchema(Schema):
    """A partner's statement on its own registration: it names no other partner and no other
    opportunity (domain.statement)."""

    opportunity = fields.String(required=True)
    partner = fields.String(required=True)
    specialization = _value_of(Specialization, required=True)
    registered_on = fields.Date(required=True)
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["granted", "registered-not-exclusive", "pending", "denied"]),
    )
    reason_code = _value_of(ExclusivityReason, required=True)
    rule = fields.String(required=True, metadata={"description": "the rule that decided"})
    rules_version = fields.String(required=True)
    decided_on = fields.Date(required=True)
    valid_until = fields.Date(allow_none=True)
    counted = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "what the partner held that the rules looked at"},
    )
    would_change = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "what would have changed the outcome (empty when granted)"},
    )


class ReviewSchema(Schema):
    """A registration waiting for a channel manager (staff only: it names the other
    opportunity the customer matched)."""

    decision_id = fields.String(required=True)
    opportunity = fields.String(required=True)
    partner = fields.String(required=True)
    rule_reason_code = fields.String(required=True)
    conflicting_reference = fields.String(required=True)
    matched_keys = fields.List(fields.String(), required=True)
    opened_on = fields.Date(required=True)
    status = fields.String(required=True)


class DecisionCountSchema(Schema):
    outcome = fields.String(required=True)
    reason_code = _value_of(ExclusivityReason, required=True)
    count = fields.Integer(required=True)


class TierChangeSchema(Schema):
    partner = fields.String(required=True)
    from_tier = _value_of(Tier, required=True)
    to_tier = _value_of(Tier, required=True)
    reviewed_on = fields.Date(required=True)
    rules_version = fields.String(required=True)
    qualified_revenue = _amount()
    evidence_event_ids = fields.List(fields.String(), required=True)


class NoticeSchema(Schema):
    """A notice the sweep issued to a partner about its own deal, certification or tier."""

    notice_id = fields.String(required=True)
    partner = fields.String(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    detail = fields.String(required=True)
    due_on = fields.Date(required=True)
    days_before = fields.Integer(required=True)
    issued_on = fields.Date(required=True)


class DeadLetterSchema(Schema):
    topic = fields.String(required=True)
    partition = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    reason = fields.String(required=True)


class DeadLettersSchema(Schema):
    count = fields.Integer(required=True)
    dead_letters = fields.List(fields.Nested(DeadLetterSchema), required=True)


class AuditedDecisionSchema(DecisionSchema):
    rules_in_force = fields.Dict(
        allow_none=True,
        metadata={"description": "the rule set in force on decided_on, as published"},
    )


class AuditedHistorySchema(Schema):
    opportunity = fields.String(required=True)
    decisions = fields.List(fields.Nested(AuditedDecisionSchema), required=True)


class EnrolledSchema(Schema):
    partner = fields.String(required=True)
    partner_id = fields.String(required=True)


class RegistrationSchema(Schema):
    opportunity_id = fields.String(required=True)
    decision_id = fields.String(required=True)
    outcome = fields.String(required=True)
    reason_code = _value_of(ExclusivityReason, required=True)
    rules_version = fields.String(required=True)
    valid_until = fields.Date(allow_none=True)


class IssuedQuoteSchema(Schema):
    quote_id = fields.String(required=True)
    tier = _value_of(Tier, required=True)
    list_price = _amount()
    tier_discount = _amount()
    registration_uplift = _amount()
    net_price = _amount()
    protection = _value_of(Protection, required=True)
    rules_version = fields.String(required=True)
    notice = fields.String(required=True)


class EngineerDaysDrawnSchema(Schema):
    opportunity = fields.String(required=True)
    partner_code = fields.String(required=True)
    decision_id = fields.String(required=True)  # the protection the days were drawn against
    days = fields.Integer(required=True)
    days_left = fields.Integer(required=True)
    days_granted = fields.Integer(required=True)


class WinSchema(Schema):
    opportunity = fields.String(required=True)
    qualified = fields.Boolean(required=True)


class SweepReportSchema(Schema):
    certifications_expired = fields.Integer(required=True)
    specializations_withdrawn = fields.Integer(required=True)
    tier_reviews = fields.Integer(required=True)
    tier_changes = fields.Integer(required=True)
    protections_expired = fields.Integer(required=True)
    notices_issued = fields.Integer(required=True)  # events on <prefix>.notice


class InvalidParamSchema(Schema):
    name = fields.String(required=True, metadata={"description": "the field that failed"})
    location = fields.String(required=True, metadata={"description": "body, query or path"})
    reason = fields.String(required=True, metadata={"description": "the rule it broke"})


class ProblemSchema(Schema):
    """RFC 9457 problem details, served as application/problem+json."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    rule = fields.String(metadata={"description": "the business rule a command broke (409)"})
    invalid_params = fields.List(
        fields.Nested(InvalidParamSchema), data_key="invalid-params", required=False
    )


class SimulationRequestSchema(Schema):
    """A proposed rule set (the document `ledger rules simulate` reads) and when it applies."""

    class Meta:
        unknown = RAISE

    rules = fields.Nested(ProgramRulesSchema, required=True)
    proposed_from = fields.Date(data_key="from", load_default=None)


class SimulationSchema(Schema):
    rules_version = fields.String(required=True)
    proposed_from = fields.String(required=True)  # an ISO date
    diff = fields.List(fields.Dict(), required=True)
    totals_today = fields.Dict(required=True)
    totals_simulated = fields.Dict(required=True)
    refused = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class TierAtRiskSchema(Schema):
    partner = fields.String(required=True)
    tier = _value_of(Tier, required=True)
    earned_tier = _value_of(Tier, required=True)
    outcome = fields.String(required=True)  # downgrade-pending or held-by-plan
    reviewed_on = fields.Date(required=True)
    downgrade_due_on = fields.Date(allow_none=True)
    floor_tier = _value_of(Tier, allow_none=True)


class TransitionPlanSchema(Schema):
    partner = fields.String(required=True)
    legacy_tier = _value_of(Tier, required=True)
    tier = _value_of(Tier, required=True)
    earned_tier = _value_of(Tier, required=True)
    floor_tier = _value_of(Tier, required=True)
    opened_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    lacks = fields.String(required=True)
    milestones_met = fields.List(fields.String(), required=True)
    closed_on = fields.Date(allow_none=True)
    close_reason = fields.String(allow_none=True)
