"""Which notices are due for a partner or an opportunity on a business date (see domain.notice).

Pure: reads the aggregates' state, issues nothing; the ledger's sweep records the ones not
issued yet.
"""

from __future__ import annotations

from datetime import date

from domain.notice import NoticeDue, NoticeKind, notice_due
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_holdings import Certification


def partner_notices(partner: Partner, as_of: date) -> list[NoticeDue]:
    """Certifications about to expire (unless renewed) and a downgrade announced."""
    found = [
        notice_due(
            NoticeKind.CERTIFICATION_EXPIRING,
            partner.id,
            partner.code,
            held.individual,
            f"{held.kind.value} {held.specialization.value}",
            held.expires_on,
            as_of,
        )
        for held in partner.certifications
        if held.ended_on is None and not _renewed(held, partner.certifications)
    ]
    if partner.downgrade_due_on is not None:
        found.append(
            notice_due(
                NoticeKind.DOWNGRADE_PENDING,
                partner.id,
                partner.code,
                partner.tier.value,
                "",
                partner.downgrade_due_on,
                as_of,
            )
        )
    return [due for due in found if due is not None]


def protection_notice(opportunity: Opportunity, holder_code: str, as_of: date) -> NoticeDue | None:
    """The protection in force about to lapse, told to its holder only (subject: the deal,
    detail: the holder's own decision)."""
    protection = opportunity.protection
    if protection is None or opportunity.outcome is not None:
        return None
    return notice_due(
        NoticeKind.PROTECTION_EXPIRING,
        protection.partner_id,
        holder_code,
        opportunity.reference,
        str(protection.decision_id),
        protection.valid_until,
        as_of,
    )


def _renewed(held: Certification, certifications: list[Certification]) -> bool:
    """Another certification of the same person, kind and area lasts beyond this one."""
    return any(
        other.matches(held.individual, held.kind, held.specialization)
        and other.ended_on is None
        and other.expires_on > held.expires_on
        for other in certifications
    )
