"""Re-deriving a suspected conflict: the rule's own outcome on the registration, and whether
another open opportunity then held the same customer in the same specialization."""

from __future__ import annotations

from domain import opportunity_events as events
from domain.exclusivity import RegistrationFacts, decide_exclusivity
from domain.explain import EvidenceItem, Rederivation, field_checks, rules_applied, rules_evidence
from domain.explain_exclusivity import (
    opportunity_evidence,
    registrant_evidence,
    registration_evidence,
)
from domain.identity import event_id
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PartnerProgram


def shared_keys(opportunity: Opportunity, other: Opportunity | None) -> list[str]:
    """The claim keys both opportunities recognise their customer by, in this one's order."""
    if other is None or other.specialization is not opportunity.specialization:
        return []
    return [key for key in opportunity.claim_keys if key in other.claim_keys]


def rederive_conflict(
    recorded: events.ConflictSuspected,
    opportunity: Opportunity,
    registration: events.Registered,
    registrant: Partner,
    program: PartnerProgram,
    conflicting: Opportunity | None,
) -> Rederivation:
    """Decide the registration again as the rule did, then hold it for review as the ledger
    did if the conflicting opportunity (as it stood before) was open on a shared key."""
    on = registration.registered_on
    applied = rules_applied(program, recorded.rules_version, on)
    decision = decide_exclusivity(
        opportunity.facts(),
        RegistrationFacts(
            registration.partner_id, registration.new_business, registration.presales_evidence, on
        ),
        registrant.registrant_facts(on),
        applied.rules,
    )
    matched = shared_keys(opportunity, conflicting)
    still_open = conflicting is not None and conflicting.outcome is None
    held = bool(matched) and still_open and (decision.granted or decision.preferred)
    registration_id = event_id(opportunity.id, registration.originator_version)
    checks = field_checks(
        {
            "outcome": "pending",
            "rule_reason_code": recorded.rule_reason_code,
            "partner_id": recorded.partner_id,
            "decided_on": recorded.decided_on,
            "rules_version": recorded.rules_version,
            "evidence_event_ids": recorded.evidence_event_ids,
            "conflicting_opportunity_id": recorded.conflicting_opportunity_id,
            "matched_keys": recorded.matched_keys,
        },
        {
            "outcome": "pending" if held else decision.outcome,
            "rule_reason_code": decision.reason.value,
            "partner_id": registration.partner_id,
            "decided_on": on,
            "rules_version": applied.in_force,
            "evidence_event_ids": (registration_id, *decision.evidence_event_ids),
            "conflicting_opportunity_id": conflicting.id if conflicting is not None else None,
            "matched_keys": tuple(matched),
        },
    )
    evidence = (
        registration_evidence(registration, registrant, str(registration_id)),
        *opportunity_evidence(opportunity, registrant),
        conflict_evidence(conflicting, matched),
        *registrant_evidence(registrant, opportunity, on),
        rules_evidence(program, applied),
    )
    return Rederivation(checks, evidence)


def conflict_evidence(conflicting: Opportunity | None, matched: list[str]) -> EvidenceItem:
    if conflicting is None:
        return EvidenceItem("conflict", "the named opportunity did not exist yet")
    state = "closed" if conflicting.outcome is not None else "open"
    keys = ", ".join(matched) or "no shared key"
    return EvidenceItem(
        "conflict",
        f"{conflicting.reference} for {conflicting.end_customer}: {state}, shares {keys}",
        str(event_id(conflicting.id, conflicting.version)),
    )
