"""The tables the query commands and the demo print from the projections' rows."""

from __future__ import annotations

from infra.output import table
from projections import program_queries as views
from projections import transition_queries as transition


def render_decisions(decisions: list[views.DecisionView]) -> str:
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


def render_quotes(quotes: list[views.QuoteView]) -> str:
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


def render_decision_counts(counts: list[views.DecisionCount]) -> str:
    if not counts:
        return "no decisions"
    return table(
        ["outcome", "reason", "count"], [[c.outcome, c.reason_code, c.count] for c in counts]
    )


def render_tier_history(changes: list[views.TierChangeView]) -> str:
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


def render_transition_plans(plans: list[transition.TransitionPlanView]) -> str:
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


def render_tiers_at_risk(found: list[transition.TierAtRisk]) -> str:
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
