"""The tables the query commands and the demo print from the projections' rows."""

from __future__ import annotations

from domain.statement import PartnerStatement
from infra.output import table
from projections import simulation
from projections.models.exclusivity_decisions import DecisionCount, DecisionView
from projections.models.partner_status import TIERS_HIGHEST_FIRST
from projections.models.quotes import QuoteView
from projections.models.reviews import ReviewView
from projections.models.tier_history import TierChangeView
from projections.models.tier_reviews import TierAtRisk
from projections.models.transition_plans import TransitionPlanView


def render_decisions(decisions: list[DecisionView]) -> str:
    if not decisions:
        return "no decisions"
    return table(
        ["opportunity", "partner", "outcome", "reason", "rules", "decided", "valid until", "ended"],
        [
            [
                d.opportunity,
                d.partner,
                d.outcome,
                d.reason_code,
                d.rules_version,
                d.decided_on,
                d.valid_until or "-",
                f"{d.ended_on} ({d.end_reason})" if d.ended_on else "-",
            ]
            for d in decisions
        ],
    )


def render_reviews(reviews: list[ReviewView]) -> str:
    if not reviews:
        return "no registrations waiting for review"
    return table(
        ["opportunity", "partner", "rule's outcome", "matches", "on", "since", "decision"],
        [
            [
                r.opportunity,
                r.partner,
                r.rule_reason_code,
                r.conflicting_reference,
                ", ".join(r.matched_keys),
                r.opened_on,
                r.decision_id,
            ]
            for r in reviews
        ],
    )


def render_quotes(quotes: list[QuoteView]) -> str:
    return table(
        ["partner", "tier", "list", "tier disc %", "uplift %", "net", "protection", "issued"],
        [
            [
                q.partner,
                q.tier,
                q.list_price,
                q.tier_discount,
                q.registration_uplift,
                q.net_price,
                q.protection,
                q.issued_on,
            ]
            for q in quotes
        ],
    )


def render_decision_counts(counts: list[DecisionCount]) -> str:
    if not counts:
        return "no decisions"
    return table(
        ["outcome", "reason", "count"], [[c.outcome, c.reason_code, c.count] for c in counts]
    )


def render_tier_history(changes: list[TierChangeView]) -> str:
    if not changes:
        return "no tier changes"
    return table(
        ["partner", "from", "to", "reviewed", "rules", "qualified revenue", "evidence events"],
        [
            [
                c.partner,
                c.from_tier,
                c.to_tier,
                c.reviewed_on,
                c.rules_version,
                c.qualified_revenue,
                len(c.evidence_event_ids),
            ]
            for c in changes
        ],
    )


def render_transition_plans(plans: list[TransitionPlanView]) -> str:
    """Legacy partners' plans: tier then and now, earned and lacked when opened, the floor."""
    return table(
        ["partner", "legacy", "now", "earned", "floor", "due", "lacked", "met", "closed"],
        [
            [
                p.partner,
                p.legacy_tier,
                p.tier,
                p.earned_tier,
                p.floor_tier,
                p.due_on,
                p.lacks,
                p.milestones_met,
                p.close_reason or "-",
            ]
            for p in plans
        ],
    )


def render_tiers_at_risk(found: list[TierAtRisk]) -> str:
    if not found:
        return "no tier at risk"
    return table(
        ["partner", "tier", "earned", "review", "reviewed on", "downgrade due", "floor"],
        [
            [
                r.partner,
                r.tier,
                r.earned_tier,
                r.outcome,
                r.reviewed_on,
                r.downgrade_due_on or "-",
                r.floor_tier or "-",
            ]
            for r in found
        ],
    )


def render_simulation(found: simulation.Simulation) -> str:
    """Per partner, today beside simulated; then the totals and any command refused."""
    lines = [
        f"rules {found.rules_version} from {found.proposed_from}: "
        f"{len(found.diff)} partners would differ"
    ]
    if found.diff:
        lines.append(
            table(
                ["partner", "tier", "grants", "qualified revenue", "margin given away"],
                [
                    [
                        d.partner,
                        _change(d.today.tier, d.simulated.tier),
                        _change(d.today.grants, d.simulated.grants),
                        _change(d.today.qualified_revenue, d.simulated.qualified_revenue),
                        _change(d.today.margin, d.simulated.margin),
                    ]
                    for d in found.diff
                ],
            )
        )
    today, simulated = found.totals_today, found.totals_simulated
    lines += [
        "totals: today -> simulated",
        "  tiers: "
        + ", ".join(
            f"{tier} {today.tiers.get(tier, 0)} -> {simulated.tiers.get(tier, 0)}"
            for tier in TIERS_HIGHEST_FIRST
        ),
        f"  grants {today.grants} -> {simulated.grants}; qualified revenue "
        f"{today.qualified_revenue} -> {simulated.qualified_revenue}; margin given away "
        f"{today.margin} -> {simulated.margin}",
    ]
    if found.refused:
        refused = ", ".join(f"{rule} {n}" for rule, n in sorted(found.refused.items()))
        lines.append(f"commands the proposed rules refuse: {refused}")
    return "\n".join(lines)


def _change(today: object, simulated: object) -> str:
    return str(today) if today == simulated else f"{today} -> {simulated}"


def render_statement(found: PartnerStatement) -> str:
    until = f", protected until {found.valid_until}" if found.valid_until else ""
    lines = [
        f"{found.reference} ({found.specialization}), registered by {found.partner} on "
        f"{found.registered_on}",
        f"outcome: {found.outcome}{until} "
        f"(decided {found.decided_on}, rules {found.rules_version})",
        f"rule: {found.rule} [{found.reason_code}]",
        "what counted:",
        *(f"  - {item}" for item in found.counted),
    ]
    if found.would_change:
        lines += ["what would have changed it:", *(f"  - {item}" for item in found.would_change)]
    return "\n".join(lines)
