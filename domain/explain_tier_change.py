"""Re-deriving a tier change from the partner's revenue credits and specializations."""

from __future__ import annotations

from domain.explain import EvidenceItem, Rederivation, field_checks, rules_applied, rules_evidence
from domain.partner import Partner
from domain.partner_program import PartnerProgram
from domain.rules import TIER_ORDER
from domain.tier_review import review_tier


def rederive_tier_change(
    recorded: Partner.TierChanged, partner: Partner, program: PartnerProgram
) -> Rederivation:
    """Review again, as `Partner.review_tier` did, with the partner as it was just before."""
    on = recorded.reviewed_on
    applied = rules_applied(program, recorded.rules_version, on)
    revenue, credits = partner.qualified_revenue(on, applied.rules)
    review = review_tier(
        partner.tier,
        partner.downgrade_due_on,
        revenue,
        len(partner.specializations),
        on,
        applied.rules,
    )
    upgrade = TIER_ORDER.index(recorded.to_tier) > TIER_ORDER.index(recorded.from_tier)
    held = sorted(partner.specializations.values(), key=lambda s: s.specialization.value)
    checks = field_checks(
        {
            "review": "upgrade" if upgrade else "downgrade",
            "from_tier": recorded.from_tier,
            "to_tier": recorded.to_tier,
            "qualified_revenue": recorded.qualified_revenue,
            "specializations_held": recorded.specializations_held,
            "evidence_event_ids": recorded.evidence_event_ids,
            "rules_version": recorded.rules_version,
        },
        {
            "review": review.outcome,
            "from_tier": review.current,
            "to_tier": review.earned if review.outcome.changes_tier else review.current,
            "qualified_revenue": revenue,
            "specializations_held": [s.specialization for s in held],
            # In the order Partner.review_tier cites them: credits, then awards.
            "evidence_event_ids": credits
            + [s.award_event_id for s in partner.specializations.values()],
            "rules_version": applied.in_force,
        },
    )
    window_start = applied.rules.revenue_window_start(on)
    evidence = (
        EvidenceItem(
            "tier",
            f"{partner.code} held {partner.tier.value} on {on}"
            + (f", downgrade due {partner.downgrade_due_on}" if partner.downgrade_due_on else ""),
        ),
        *(
            EvidenceItem("revenue", f"{c.amount} won on {c.won_on}", str(c.credit_event_id))
            for c in partner.revenue_credits
            if window_start < c.won_on <= on
        ),
        EvidenceItem("revenue", f"qualified revenue {revenue} after {window_start}"),
        *(
            EvidenceItem(
                "specialization",
                f"{s.specialization.value} awarded {s.awarded_on}",
                str(s.award_event_id),
            )
            for s in held
        ),
        rules_evidence(program, applied),
    )
    return Rederivation(checks, evidence)
