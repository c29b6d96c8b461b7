"""The tables the query commands and the demo print from the projections' rows."""

from __future__ import annotations

from infra.output import table
from projections import program_queries as views


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
