"""Re-deriving whether a win counted as qualified revenue (domain.qualified_revenue)."""

from __future__ import annotations

from domain import opportunity_events as events
from domain.explain import (
    EvidenceItem,
    Rederivation,
    RulesApplied,
    field_checks,
    rules_applied,
    rules_evidence,
)
from domain.opportunity import Opportunity
from domain.partner_program import PartnerProgram
from domain.qualified_revenue import qualifying_decision


def rederive_win(
    recorded: events.Won, opportunity: Opportunity, program: PartnerProgram
) -> Rederivation:
    """Decide again, as `Opportunity.record_win` did, on the opportunity just before the win."""
    on = recorded.won_on
    # A win names no rules version: the ledger applies those in force on its date.
    applied = rules_applied(program, program.rules_in_force(on).version, on)
    held = opportunity.protection
    # `record_win` lapses an expired protection before deciding; the rebuilt opportunity
    # already shows that, but a protection past its date is not the holder's either way.
    holder = (held.partner_id, held.decision_id) if held and on < held.valid_until else None
    decision = qualifying_decision(
        recorded.partner_id, holder, opportunity.incremental_registrations, applied.rules
    )
    checks = field_checks(
        {
            "qualified": recorded.qualified,
            "decision_id": recorded.decision_id,
            "rules_version": applied.rules.version,
        },
        {
            "qualified": decision is not None,
            "decision_id": decision,
            "rules_version": applied.in_force,
        },
    )
    return Rederivation(checks, win_evidence(recorded, opportunity, program, applied))


def win_evidence(
    recorded: events.Won, opportunity: Opportunity, program: PartnerProgram, applied: RulesApplied
) -> tuple[EvidenceItem, ...]:
    """The winner's registrations, the protection in force, and how the rules read them."""
    incremental = set(opportunity.incremental_registrations.values())
    registrations = [
        EvidenceItem(
            "registration",
            f"{d.reason_code} on {d.decided_on}"
            + (", incremental business" if d.decision_id in incremental else ""),
            str(d.decision_id),
        )
        for d in opportunity.decisions
        if d.partner_id == recorded.partner_id
    ] or [EvidenceItem("registration", "the winner never registered the opportunity")]
    held = opportunity.protection
    protection = (
        EvidenceItem(
            "protection",
            f"{'the winner' if held.partner_id == recorded.partner_id else 'another partner'} "
            f"until {held.valid_until}",
            str(held.decision_id),
        )
        if held
        else EvidenceItem("protection", "none in force")
    )
    terms = EvidenceItem(
        "terms",
        "only a win under the winner's own exclusivity qualifies"
        if applied.rules.qualified_revenue_requires_exclusivity
        else "a win on the winner's own registration of incremental business qualifies, "
        "exclusive or not",
    )
    return (*registrations, protection, terms, rules_evidence(program, applied))
