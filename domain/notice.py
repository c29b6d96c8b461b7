"""Notices: what the passage of time will soon do to a partner, told to that partner in advance.

`ledger sweep --as-of` issues them as events of their own aggregate (published on
``<prefix>.notice``), for the partner portal or a mail service to subscribe to; the ledger sends
no mail. A notice is addressed to one partner about its own protection, certification or tier,
and names no other partner.

Each notice is identified by what it is about (kind, partner, subject, due date) and its lead
(how many days before the due date it warns), so a second sweep of the same date, or a sweep
racing another, issues nothing twice. A sweep that passes several leads at once issues only the
nearest: one message, the most urgent, rather than a burst of stale ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import name_based_id


class NoticeKind(Enum):
    PROTECTION_EXPIRING = "protection-expiring"
    CERTIFICATION_EXPIRING = "certification-expiring"
    DOWNGRADE_PENDING = "downgrade-pending"
    # "review-past-due" joins here, with its leads below, once registration reviews (by a
    # channel manager, within a service level) are recorded with their due dates.


# Days before the due date each notice goes out. The issue's figures: protections 30 and 7 days
# before they lapse, certifications 90/60/30 days before they expire; a pending downgrade is
# told when announced (the 90 days' grace) and again 30 days before it applies.
LEAD_DAYS: dict[NoticeKind, tuple[int, ...]] = {
    NoticeKind.PROTECTION_EXPIRING: (30, 7),
    NoticeKind.CERTIFICATION_EXPIRING: (90, 60, 30),
    NoticeKind.DOWNGRADE_PENDING: (90, 30),
}


def lead_reached(kind: NoticeKind, due_on: date, as_of: date) -> int | None:
    """The nearest lead whose day has come by `as_of` for something due on `due_on`, or None
    (not yet within any lead, or already due: a notice warns, it does not report)."""
    if as_of >= due_on:
        return None
    reached = [lead for lead in LEAD_DAYS[kind] if due_on - timedelta(days=lead) <= as_of]
    return min(reached) if reached else None


@dataclass(frozen=True)
class NoticeDue:
    """A notice a sweep found due: what it is about, for whom, and its lead."""

    kind: NoticeKind
    partner_id: UUID
    partner_code: str
    subject: str  # the opportunity's reference, the certified individual, or the tier held
    detail: str  # what else identifies it for the partner (a certification's kind and area)
    due_on: date
    days_before: int

    @property
    def notice_id(self) -> UUID:
        return Notice.create_id(
            self.kind.value,
            self.partner_id,
            self.subject,
            self.detail,
            self.due_on,
            self.days_before,
        )


def notice_due(
    kind: NoticeKind,
    partner_id: UUID,
    partner_code: str,
    subject: str,
    detail: str,
    due_on: date,
    as_of: date,
) -> NoticeDue | None:
    lead = lead_reached(kind, due_on, as_of)
    if lead is None:
        return None
    return NoticeDue(kind, partner_id, partner_code, subject, detail, due_on, lead)


class Notice(Aggregate):
    """One notice, issued once."""

    class Issued(Aggregate.Created):
        kind: str
        partner_id: UUID
        partner_code: str
        subject: str
        detail: str
        due_on: date
        days_before: int
        issued_on: date

    @staticmethod
    def create_id(
        kind: str, partner_id: UUID, subject: str, detail: str, due_on: date, days_before: int
    ) -> UUID:
        return name_based_id(
            "notice", f"{kind}/{partner_id}/{subject}/{detail}/{due_on}/{days_before}"
        )

    @classmethod
    def issue(cls, due: NoticeDue, issued_on: date) -> Notice:
        return cls(
            kind=due.kind.value,
            partner_id=due.partner_id,
            partner_code=due.partner_code,
            subject=due.subject,
            detail=due.detail,
            due_on=due.due_on,
            days_before=due.days_before,
            issued_on=issued_on,
        )

    @event(Issued)
    def __init__(
        self,
        kind: str,
        partner_id: UUID,
        partner_code: str,
        subject: str,
        detail: str,
        due_on: date,
        days_before: int,
        issued_on: date,
    ) -> None:
        self.kind = kind
        self.partner_id = partner_id
        self.partner_code = partner_code
        self.subject = subject
        self.detail = detail
        self.due_on = due_on
        self.days_before = days_before
        self.issued_on = issued_on
