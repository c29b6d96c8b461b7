"""Notices: one row per notice the sweep issued (domain.notice), for the partner it is for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Column, Connection, Date, Integer, String, Table, select

from contracts.wire.envelope import Envelope
from projections.schema import metadata
from projections.writer import BatchWriter, Handler

notice = Table(
    "notice",
    metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("partner_code", String(63), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("detail", String(200), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("days_before", Integer, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("position", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class NoticeView:
    notice_id: str
    partner: str
    kind: str
    subject: str
    detail: str
    due_on: date
    days_before: int
    issued_on: date


def notice_issued(writer: BatchWriter, e: Envelope) -> None:
    p = e.payload
    writer.insert(
        notice,
        {
            "notice_id": str(e.aggregate_id),
            "partner_code": p["partner_code"],
            "kind": p["kind"],
            "subject": p["subject"],
            "detail": p["detail"],
            "due_on": p["due_on"],
            "days_before": p["days_before"],
            "issued_on": p["issued_on"],
            "position": e.position,
        },
    )


HANDLERS: dict[str, Handler] = {"notice.issued": notice_issued}


def notices_for(connection: Connection, code: str | None = None) -> list[NoticeView]:
    """Notices in the order they were issued, for one partner or all."""
    query = select(notice).order_by(notice.c.position)
    if code is not None:
        query = query.where(notice.c.partner_code == code)
    return [
        NoticeView(
            notice_id=row.notice_id,
            partner=row.partner_code,
            kind=row.kind,
            subject=row.subject,
            detail=row.detail,
            due_on=row.due_on,
            days_before=row.days_before,
            issued_on=row.issued_on,
        )
        for row in connection.execute(query)
    ]
