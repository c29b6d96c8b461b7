"""Re-deriving an exclusivity decision from the registration it answered."""

from __future__ import annotations

from datetime import date

from domain import opportunity_events as events
from domain.exclusivity import RegistrationFacts, decide_exclusivity
from domain.explain import (
    EvidenceItem,
    Rederivation,
    field_checks,
    rules_applied,
    rules_evidence,
)
from domain.identity import event_id
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PartnerProgram

RecordedDecision = (
    events.ExclusivityGranted | events.ExclusivityDenied | events.RegisteredNonExclusive
)


def recorded_outcome(recorded: RecordedDecision) -> str:
    if isinstance(recorded, Opportunity.ExclusivityGranted):
        return "granted"
    if isinstance(recorded, Opportunity.RegisteredNonExclusive):
        return "registered-not-exclusive"
    return "denied"


def rederive_exclusivity(
    recorded: RecordedDecision,
    opportunity: Opportunity,
    registration: events.Registered,
    registrant: Partner,
    program: PartnerProgram,
) -> Rederivation:
    """Decide again, as `Opportunity.register` did, on the registration just before the
    decision, with the opportunity, the registrant and the program as they were then."""
    on = registration.registered_on
    applied = rules_applied(program, recorded.rules_version, on)
    decision = decide_exclusivity(
        opportunity.facts(),
        RegistrationFacts(
            registration.partner_id,
            registration.new_business,
            registration.presales_evidence,
            on,
        ),
        registrant.registrant_facts(on),
        applied.rules,
    )
    recorded_until = (
        None if isinstance(recorded, Opportunity.ExclusivityDenied) else recorded.valid_until
    )
    registration_id = event_id(opportunity.id, registration.originator_version)
    checks = field_checks(
        {
            "outcome": recorded_outcome(recorded),
            "reason_code": recorded.reason_code,
            "partner_id": recorded.partner_id,
            "decided_on": recorded.decided_on,
            "valid_until": recorded_until,
            "rules_version": recorded.rules_version,
            "evidence_event_ids": recorded.evidence_event_ids,
        },
        {
            "outcome": decision.outcome,
            "reason_code": decision.reason.value,
            "partner_id": registration.partner_id,
            "decided_on": on,
            "valid_until": decision.valid_until,
            "rules_version": applied.in_force,
            "evidence_event_ids": (registration_id, *decision.evidence_event_ids),
        },
    )
    evidence = (
        registration_evidence(registration, registrant, str(registration_id)),
        *opportunity_evidence(opportunity, registrant),
        *registrant_evidence(registrant, opportunity, on),
        rules_evidence(program, applied),
    )
    return Rederivation(checks, evidence)


def registration_evidence(
    registration: events.Registered, registrant: Partner, registration_id: str
) -> EvidenceItem:
    business = "new business" if registration.new_business else "renewal"
    return EvidenceItem(
        "registration",
        f"{registrant.code} on {registration.registered_on}, {business}, "
        f"pre-sales evidence {registration.presales_evidence.strip() or '(none)'!r}",
        registration_id,
    )


def opportunity_evidence(opportunity: Opportunity, registrant: Partner) -> list[EvidenceItem]:
    state = "closed" if opportunity.outcome is not None else "open"
    vendor = ", vendor sales engaged" if opportunity.vendor_sales_engaged else ""
    found = [
        EvidenceItem(
            "opportunity",
            f"{opportunity.reference} for {opportunity.end_customer} in "
            f"{opportunity.specialization.value}: {state}{vendor}",
        )
    ]
    if opportunity.protection is not None:
        holder = (
            "the registrant"
            if opportunity.protection.partner_id == registrant.id
            else ("another partner")
        )
        found.append(
            EvidenceItem(
                "protection",
                f"held by {holder} until {opportunity.protection.valid_until}",
                str(opportunity.protection.decision_id),
            )
        )
    if registrant.id in opportunity.partners_with_expired_protection:
        found.append(EvidenceItem("protection", "the registrant's earlier protection expired"))
    return found


def registrant_evidence(
    registrant: Partner, opportunity: Opportunity, on: date
) -> list[EvidenceItem]:
    """The registrant's specializations (an award dated after the registration did not count)
    and its people certified in the opportunity's area that day."""
    found = [
        EvidenceItem(
            "specialization",
            f"{held.specialization.value} awarded {held.awarded_on} under "
            f"{held.contract_reference}"
            + (" (after the registration: not counted)" if held.awarded_on > on else ""),
            str(held.award_event_id),
        )
        for held in registrant.specializations.values()
    ] or [EvidenceItem("specialization", f"{registrant.code} held none")]
    return found + [
        EvidenceItem(
            "certification",
            f"{c.individual}: {c.kind.value} in {c.specialization.value}, "
            f"{c.effective_on} to {c.expires_on}",
        )
        for c in registrant.active_certifications(on)
        if c.specialization is opportunity.specialization
    ]
