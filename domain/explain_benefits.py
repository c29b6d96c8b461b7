"""Re-deriving a grant of protection benefits from the exclusivity it came with."""

from __future__ import annotations

from domain import opportunity_events as events
from domain.explain import EvidenceItem, Rederivation, field_checks, rules_applied, rules_evidence
from domain.opportunity import Opportunity
from domain.partner_program import PartnerProgram
from domain.protection_benefits import benefits_granted


def rederive_benefits_grant(
    recorded: events.BenefitsGranted, opportunity: Opportunity, program: PartnerProgram
) -> Rederivation:
    """Benefits go only with a protection in force, to its holder, as much as the rules give."""
    on = recorded.granted_on
    applied = rules_applied(program, recorded.rules_version, on)
    rules = applied.rules
    held = opportunity.protection
    in_force = held is not None and on < held.valid_until and benefits_granted(rules)
    checks = field_checks(
        {
            "protected": True,
            "decision_id": recorded.decision_id,
            "partner_id": recorded.partner_id,
            "presales_engineer_days": recorded.presales_engineer_days,
            "extended_support": recorded.extended_support,
            "rules_version": recorded.rules_version,
        },
        {
            "protected": in_force,
            "decision_id": held.decision_id if held else None,
            "partner_id": held.partner_id if held else None,
            "presales_engineer_days": rules.presales_engineer_days,
            "extended_support": rules.extended_support,
            "rules_version": applied.in_force,
        },
    )
    protection = (
        EvidenceItem("protection", f"granted until {held.valid_until}", str(held.decision_id))
        if held
        else EvidenceItem("protection", "none in force")
    )
    terms = EvidenceItem(
        "terms",
        f"{rules.presales_engineer_days} pre-sales engineer days, extended support "
        f"{'yes' if rules.extended_support else 'no'}",
    )
    return Rederivation(checks, (protection, terms, rules_evidence(program, applied)))
