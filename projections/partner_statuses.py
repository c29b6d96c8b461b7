"""Partners as of a date, gathered from several read models: the partner's row
(models.partner_status) with the certifications, specializations, qualified revenue and
protections it holds that day, under the rules then in force. Answers come from the read
models, never the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

from projections.models.certifications import active_certifications
from projections.models.exclusivity_decisions import protections_held
from projections.models.partner_status import partner_status
from projections.models.program_rules import rules_document_in_force
from projections.models.revenue import qualified_revenue
from projections.models.specializations import specializations_held


@dataclass(frozen=True)
class PartnerStatusView:
    code: str
    name: str
    tier: str
    legacy_tier: str
    enrolled_on: date
    active_sales_certifications: int
    active_technical_certifications: int
    certified_specializations: list[str]
    # specialization -> {"sales": n, "technical": m}, certifications in force
    certifications_by_specialization: dict[str, dict[str, int]]
    specializations: list[str]
    qualified_revenue: Decimal
    protected_opportunities: int
    in_transition: bool
    version: int
    last_position: int


def partner_statuses(
    connection: Connection,
    as_of: date,
    code: str | None = None,
    tier: str | None = None,
    specialization: str | None = None,
) -> list[PartnerStatusView]:
    """Partners (all, one `code`, or filtered by tier and specialization) as of a date."""
    query = select(partner_status).order_by(partner_status.c.code)
    if code is not None:
        query = query.where(partner_status.c.code == code)
    if tier is not None:
        query = query.where(partner_status.c.tier == tier)
    partners = connection.execute(query).all()
    ids = [p.partner_id for p in partners]
    active = active_certifications(connection, as_of, ids)
    held = specializations_held(connection, as_of, ids)
    rules = rules_document_in_force(connection, as_of) or {}
    revenue = qualified_revenue(
        connection, as_of, int(rules.get("qualified_revenue_window_days", 365)), ids
    )
    protected = protections_held(connection, as_of, ids)
    transition_ends = rules.get("transition_ends_on")
    in_transition = transition_ends is not None and as_of < date.fromisoformat(transition_ends)
    views = [
        PartnerStatusView(
            code=p.code,
            name=p.name,
            tier=p.tier,
            legacy_tier=p.legacy_tier,
            enrolled_on=p.enrolled_on,
            active_sales_certifications=_count(active.get(p.partner_id, []), "sales"),
            active_technical_certifications=_count(active.get(p.partner_id, []), "technical"),
            certified_specializations=sorted({s for _, s in active.get(p.partner_id, [])}),
            certifications_by_specialization=_by_specialization(active.get(p.partner_id, [])),
            specializations=held.get(p.partner_id, []),
            qualified_revenue=revenue.get(p.partner_id, Decimal(0)),
            protected_opportunities=protected.get(p.partner_id, 0),
            in_transition=in_transition,
            version=p.version,
            last_position=p.last_position,
        )
        for p in partners
    ]
    if specialization is not None:
        views = [v for v in views if specialization in v.specializations]
    return views


def _by_specialization(certifications: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for kind, specialization in sorted(certifications, key=lambda c: (c[1], c[0])):
        by_kind = counts.setdefault(specialization, {"sales": 0, "technical": 0})
        by_kind[kind] += 1
    return counts


def _count(certifications: list[tuple[str, str]], kind: str) -> int:
    return sum(1 for k, _ in certifications if k == kind)
