"""Questions ops ask of the projections. Answers come from the read model, never the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, func, or_, select

from projections.program_queries import rules_document_in_force
from projections.tables import (
    exclusivity_decision,
    partner_certification,
    partner_specialization,
    partner_status,
    revenue_credit,
)


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
    active = _active_certifications(connection, as_of, ids)
    held = _specializations_held(connection, as_of, ids)
    rules = rules_document_in_force(connection, as_of) or {}
    revenue = _qualified_revenue(
        connection, as_of, int(rules.get("qualified_revenue_window_days", 365)), ids
    )
    protected = _protections_held(connection, as_of, ids)
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


def _specializations_held(
    connection: Connection, as_of: date, partner_ids: list[str]
) -> dict[str, list[str]]:
    rows = connection.execute(
        select(partner_specialization.c.partner_id, partner_specialization.c.specialization)
        .where(
            partner_specialization.c.partner_id.in_(partner_ids),
            partner_specialization.c.awarded_on <= as_of,
            or_(
                partner_specialization.c.withdrawn_on.is_(None),
                partner_specialization.c.withdrawn_on > as_of,
            ),
        )
        .order_by(partner_specialization.c.specialization)
    )
    held: dict[str, list[str]] = {}
    for row in rows:
        held.setdefault(row.partner_id, []).append(row.specialization)
    return held


def _qualified_revenue(
    connection: Connection, as_of: date, window_days: int, partner_ids: list[str]
) -> dict[str, Decimal]:
    rows = connection.execute(
        select(revenue_credit.c.partner_id, func.sum(revenue_credit.c.amount))
        .where(
            revenue_credit.c.partner_id.in_(partner_ids),
            revenue_credit.c.won_on > as_of - timedelta(days=window_days),
            revenue_credit.c.won_on <= as_of,
        )
        .group_by(revenue_credit.c.partner_id)
    )
    return {partner_id: Decimal(total) for partner_id, total in rows}


def _protections_held(
    connection: Connection, as_of: date, partner_ids: list[str]
) -> dict[str, int]:
    rows = connection.execute(
        select(exclusivity_decision.c.partner_id, func.count())
        .where(
            exclusivity_decision.c.partner_id.in_(partner_ids),
            exclusivity_decision.c.outcome == "granted",
            exclusivity_decision.c.decided_on <= as_of,
            exclusivity_decision.c.valid_until > as_of,
            or_(
                exclusivity_decision.c.ended_on.is_(None),
                exclusivity_decision.c.ended_on > as_of,
            ),
        )
        .group_by(exclusivity_decision.c.partner_id)
    )
    return {partner_id: int(count) for partner_id, count in rows}


def _active_certifications(
    connection: Connection, as_of: date, partner_ids: list[str]
) -> dict[str, list[tuple[str, str]]]:
    rows = connection.execute(
        select(
            partner_certification.c.partner_id,
            partner_certification.c.kind,
            partner_certification.c.specialization,
        ).where(
            partner_certification.c.partner_id.in_(partner_ids),
            partner_certification.c.effective_on <= as_of,
            partner_certification.c.expires_on > as_of,
            or_(
                partner_certification.c.ended_on.is_(None),
                partner_certification.c.ended_on > as_of,
            ),
        )
    )
    active: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        active.setdefault(row.partner_id, []).append((row.kind, row.specialization))
    return active


def _by_specialization(certifications: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for kind, specialization in sorted(certifications, key=lambda c: (c[1], c[0])):
        by_kind = counts.setdefault(specialization, {"sales": 0, "technical": 0})
        by_kind[kind] += 1
    return counts


def _count(certifications: list[tuple[str, str]], kind: str) -> int:
    return sum(1 for k, _ in certifications if k == kind)
