"""Questions ops ask of the projections. Answers come from the read model, never the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from projections.tables import partner_certification, partner_status


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
    version: int
    last_position: int


def partner_statuses(
    connection: Connection, as_of: date, code: str | None = None
) -> list[PartnerStatusView]:
    """Every partner (or the one with `code`), with certifications in force on `as_of`."""
    query = select(partner_status).order_by(partner_status.c.code)
    if code is not None:
        query = query.where(partner_status.c.code == code)
    partners = connection.execute(query).all()
    active = _active_certifications(connection, as_of, [p.partner_id for p in partners])
    return [
        PartnerStatusView(
            code=p.code,
            name=p.name,
            tier=p.tier,
            legacy_tier=p.legacy_tier,
            enrolled_on=p.enrolled_on,
            active_sales_certifications=_count(active.get(p.partner_id, []), "sales"),
            active_technical_certifications=_count(active.get(p.partner_id, []), "technical"),
            certified_specializations=sorted({s for _, s in active.get(p.partner_id, [])}),
            version=p.version,
            last_position=p.last_position,
        )
        for p in partners
    ]


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
        )
    )
    active: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        active.setdefault(row.partner_id, []).append((row.kind, row.specialization))
    return active


def _count(certifications: list[tuple[str, str]], kind: str) -> int:
    return sum(1 for k, _ in certifications if k == kind)
