"""Re-deriving a quote's price from the partner's tier and the protection in force."""

from __future__ import annotations

from datetime import date
from uuid import UUID

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
from domain.partner import Partner
from domain.partner_program import PartnerProgram
from domain.pricing import Protection, price_quote


def rederive_quote(
    recorded: events.QuoteIssued,
    opportunity: Opportunity,
    partner: Partner,
    program: PartnerProgram,
) -> Rederivation:
    """Price again, as `Opportunity.issue_quote` did, from the partner's tier and the
    opportunity's protection as they were just before the quote."""
    on = recorded.issued_on
    applied = rules_applied(program, recorded.rules_version, on)
    protection = protection_on(opportunity, recorded.partner_id, on)
    price = price_quote(
        recorded.list_price, partner.tier, opportunity.specialization, protection, applied.rules
    )
    checks = field_checks(
        {
            "tier": recorded.tier,
            "protection": recorded.protection,
            "decision_id": recorded.decision_id,
            "tier_discount": recorded.tier_discount,
            "registration_uplift": recorded.registration_uplift,
            "net_price": recorded.net_price,
            "rules_version": recorded.rules_version,
        },
        {
            "tier": price.tier,
            "protection": protection,
            "decision_id": opportunity.quote_decision_id(recorded.partner_id, protection),
            "tier_discount": price.tier_discount,
            "registration_uplift": price.registration_uplift,
            "net_price": price.net_price,
            "rules_version": applied.in_force,
        },
    )
    evidence = (
        EvidenceItem("partner", f"{partner.code} held the {partner.tier.value} tier on {on}"),
        EvidenceItem(
            "quote", f"list price {recorded.list_price} on {opportunity.reference} ({on})"
        ),
        protection_evidence(opportunity, protection),
        terms_evidence(applied, partner, opportunity),
        rules_evidence(program, applied),
    )
    return Rederivation(checks, evidence)


def protection_on(opportunity: Opportunity, partner_id: UUID, on: date) -> Protection:
    """Where the partner stood; a protection past its validity no longer counts (the ledger
    records its expiry before quoting)."""
    return opportunity.protection_for(partner_id, on)


def protection_evidence(opportunity: Opportunity, protection: Protection) -> EvidenceItem:
    held = opportunity.protection
    if protection is Protection.PREFERRED:
        return EvidenceItem(
            "protection", "none in force; the partner registered its pre-sales work"
        )
    if held is None or protection is Protection.UNPROTECTED:
        return EvidenceItem("protection", "none in force")
    holder = "the quoted partner" if protection is Protection.HOLDER else "another partner"
    return EvidenceItem(
        "protection", f"held by {holder} until {held.valid_until}", str(held.decision_id)
    )


def terms_evidence(
    applied: RulesApplied, partner: Partner, opportunity: Opportunity
) -> EvidenceItem:
    rules = applied.rules
    terms = rules.tier_terms(partner.tier)
    bonus = rules.specialization_terms(opportunity.specialization).uplift_bonus
    return EvidenceItem(
        "terms",
        f"{partner.tier.value}: base discount {terms.base_discount}, registration uplift "
        f"{terms.registration_uplift}, non-exclusive uplift {terms.non_exclusive_uplift}; "
        f"{opportunity.specialization.value} bonus {bonus}",
    )
