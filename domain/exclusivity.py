"""The exclusivity decision: who gets pre-sales protection on an opportunity, and why.

A pure function of the opportunity's history, the registration, the registrant's
specializations and the rules in force. Every outcome carries a reason code, the rules version
and the ids of the events it relied on, so an auditor can re-derive it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from domain.program import Specialization
from domain.rules import ProgramRules


class ExclusivityReason(Enum):
    GRANTED_FIRST_QUALIFIED_REGISTRANT = "granted-first-qualified-registrant"
    OPPORTUNITY_CLOSED = "denied-opportunity-closed"
    VENDOR_SALES_ENGAGED = "denied-vendor-sales-engaged"
    RENEWAL = "denied-renewal"
    NO_PRESALES_EVIDENCE = "denied-no-presales-evidence"
    NOT_SPECIALIZED = "denied-not-specialized"
    ALREADY_PROTECTED = "denied-already-protected"
    RE_REGISTRATION_NOT_ALLOWED = "denied-re-registration-not-allowed"
    # Pre-sales work by a partner that is not the area's specialist: preferential conditions,
    # never exclusivity nor the best price.
    REGISTERED_NOT_EXCLUSIVE = "registered-not-exclusive"
    # Another open opportunity holds the same customer in the same area: neither granted nor
    # denied until a channel manager reviews it (the rule's own outcome is kept beside it).
    CONFLICT_SUSPECTED = "review-conflict-suspected"

    @property
    def granted(self) -> bool:
        return self is ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT

    @property
    def preferred(self) -> bool:
        return self is ExclusivityReason.REGISTERED_NOT_EXCLUSIVE

    @property
    def under_review(self) -> bool:
        return self is ExclusivityReason.CONFLICT_SUSPECTED

    @property
    def incremental_business(self) -> bool:
        """The registration names new business with pre-sales evidence that nobody (neither the
        vendor's sales nor a closed deal) had already: what qualifies revenue when it is won."""
        return self not in _NOT_INCREMENTAL


_NOT_INCREMENTAL = frozenset(
    {
        ExclusivityReason.OPPORTUNITY_CLOSED,
        ExclusivityReason.VENDOR_SALES_ENGAGED,
        ExclusivityReason.RENEWAL,
        ExclusivityReason.NO_PRESALES_EVIDENCE,
        ExclusivityReason.NOT_SPECIALIZED,
    }
)


@dataclass(frozen=True)
class OpportunityFacts:
    """What the decision needs to know about the opportunity, as of the registration."""

    specialization: Specialization
    closed: bool
    vendor_sales_engaged: bool
    protected_by: UUID | None
    protection_decision_id: UUID | None
    partners_with_expired_protection: frozenset[UUID]


@dataclass(frozen=True)
class RegistrationFacts:
    partner_id: UUID
    new_business: bool
    presales_evidence: str
    registered_on: date


@dataclass(frozen=True)
class RegistrantFacts:
    """The registrant's specializations in force, and the events that awarded them."""

    specializations: frozenset[Specialization]
    specialization_evidence: tuple[UUID, ...]


@dataclass(frozen=True)
class ExclusivityDecision:
    reason: ExclusivityReason
    rules_version: str
    valid_until: date | None
    evidence_event_ids: tuple[UUID, ...]
    # What the rule alone decided, when something else (a suspected conflict) overrode it.
    rule_reason: ExclusivityReason | None = None

    @property
    def granted(self) -> bool:
        return self.reason.granted

    @property
    def preferred(self) -> bool:
        return self.reason.preferred

    @property
    def outcome(self) -> str:
        """granted, registered-not-exclusive, pending (a review) or denied: what the registrant is
        told."""
        if self.granted:
            return "granted"
        if self.reason.under_review:
            return "pending"
        return "registered-not-exclusive" if self.preferred else "denied"


def decide_exclusivity(
    opportunity: OpportunityFacts,
    registration: RegistrationFacts,
    registrant: RegistrantFacts,
    rules: ProgramRules,
) -> ExclusivityDecision:
    """Grant protection to the first qualified registrant; otherwise say which rule denied it."""
    reason = _first_failed_rule(opportunity, registration, registrant, rules)
    evidence = registrant.specialization_evidence
    if reason is ExclusivityReason.ALREADY_PROTECTED and opportunity.protection_decision_id:
        evidence = (opportunity.protection_decision_id,)
    return ExclusivityDecision(
        reason=reason,
        rules_version=rules.version,
        valid_until=(
            rules.registration_expires_on(registration.registered_on)
            if reason.granted or reason.preferred
            else None
        ),
        evidence_event_ids=evidence,
    )


@dataclass(frozen=True)
class _Case:
    opportunity: OpportunityFacts
    registration: RegistrationFacts
    registrant: RegistrantFacts
    rules: ProgramRules


# Checked in order; the first rule that applies decides (all but one deny the registration).
_DENIALS: tuple[tuple[ExclusivityReason, Callable[[_Case], bool]], ...] = (
    (ExclusivityReason.OPPORTUNITY_CLOSED, lambda c: c.opportunity.closed),
    (ExclusivityReason.VENDOR_SALES_ENGAGED, lambda c: c.opportunity.vendor_sales_engaged),
    (ExclusivityReason.RENEWAL, lambda c: not c.registration.new_business),
    (
        ExclusivityReason.NO_PRESALES_EVIDENCE,
        lambda c: not c.registration.presales_evidence.strip(),
    ),
    (
        ExclusivityReason.REGISTERED_NOT_EXCLUSIVE,
        lambda c: (
            c.rules.non_exclusive_registration_allowed
            and c.opportunity.specialization not in c.registrant.specializations
        ),
    ),
    (
        ExclusivityReason.NOT_SPECIALIZED,
        lambda c: c.opportunity.specialization not in c.registrant.specializations,
    ),
    (ExclusivityReason.ALREADY_PROTECTED, lambda c: c.opportunity.protected_by is not None),
    (
        ExclusivityReason.RE_REGISTRATION_NOT_ALLOWED,
        lambda c: (
            not c.rules.re_registration_allowed
            and c.registration.partner_id in c.opportunity.partners_with_expired_protection
        ),
    ),
)


def held_for_review(decision: ExclusivityDecision) -> ExclusivityDecision:
    """The decision a suspected conflict turns a grant or a preference into: under review,
    nothing granted, the rule's outcome kept for the channel manager."""
    return ExclusivityDecision(
        reason=ExclusivityReason.CONFLICT_SUSPECTED,
        rules_version=decision.rules_version,
        valid_until=None,
        evidence_event_ids=decision.evidence_event_ids,
        rule_reason=decision.reason,
    )


def _first_failed_rule(
    opportunity: OpportunityFacts,
    registration: RegistrationFacts,
    registrant: RegistrantFacts,
    rules: ProgramRules,
) -> ExclusivityReason:
    failing = failing_rules(opportunity, registration, registrant, rules)
    return failing[0] if failing else ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT


def failing_rules(
    opportunity: OpportunityFacts,
    registration: RegistrationFacts,
    registrant: RegistrantFacts,
    rules: ProgramRules,
) -> list[ExclusivityReason]:
    """Every rule that stands in the registration's way, in the order they are checked (the
    first one decides; the others are what would still have stood after fixing it)."""
    case = _Case(opportunity, registration, registrant, rules)
    return [reason for reason, applies in _DENIALS if applies(case)]
