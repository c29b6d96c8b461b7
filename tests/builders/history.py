"""A short program history, recorded through the real application in dated phases.

It holds every kind of decision an auditor explains: exclusivity granted and denied (not
specialized, renewal), quotes to the holder, to a competitor and on an unprotected deal, a
protection that expires, and two tier changes (an upgrade earned by qualified revenue, a
downgrade after the grace period). Each phase ends on a business date after which nothing
earlier is recorded, so the live projections at the end of a phase are what ops saw then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from domain.commands import IssueQuote, PublishRules, RecordWin
from domain.ledger import Ledger
from domain.program import Tier
from tests.builders.program import deal_registration, default_rules, enroll, make_specialist

SPECIALIST = "antemeta"  # silver, specialized in data protection, upgraded to gold
COMPETITOR = "rival"  # gold, never specialized, downgraded after the grace period
PROTECTED = "acme-backup"  # granted to the specialist, then won by it
RENEWAL = "beta-renewal"  # a renewal: denied, quoted unprotected
LAPSING = "gamma-archive"  # granted to the specialist, expires unused


def founding(ledger: Ledger) -> None:
    ledger.publish_rules(PublishRules(default_rules()))
    enroll(ledger, SPECIALIST, Tier.SILVER)
    enroll(ledger, COMPETITOR, Tier.GOLD)
    make_specialist(ledger, SPECIALIST)  # certified 2010-11-15, awarded 2010-12-01


def protected_deal(ledger: Ledger) -> None:
    ledger.register_deal(deal_registration(SPECIALIST, date(2010, 12, 10), opportunity=PROTECTED))
    ledger.register_deal(deal_registration(COMPETITOR, date(2010, 12, 12), opportunity=PROTECTED))
    for code in (SPECIALIST, COMPETITOR):
        ledger.issue_quote(IssueQuote(PROTECTED, code, Decimal(100_000), date(2010, 12, 15)))


def first_quarter(ledger: Ledger) -> None:
    ledger.register_deal(
        deal_registration(COMPETITOR, date(2011, 1, 10), opportunity=RENEWAL, new_business=False)
    )
    ledger.issue_quote(IssueQuote(RENEWAL, COMPETITOR, Decimal(40_000), date(2011, 1, 12)))
    ledger.record_win(RecordWin(PROTECTED, SPECIALIST, Decimal(600_000), date(2011, 2, 1)))
    ledger.register_deal(deal_registration(SPECIALIST, date(2011, 3, 1), opportunity=LAPSING))


def transition_ends(ledger: Ledger) -> None:
    ledger.sweep(date(2011, 6, 1))  # the lapsing protection expires (on 2011-05-30)
    ledger.sweep(date(2011, 11, 1))  # first tier reviews: upgrade, and a downgrade pending


def grace_ends(ledger: Ledger) -> None:
    ledger.sweep(date(2012, 1, 30))  # the competitor's downgrade falls due


PHASES: tuple[tuple[date, Callable[[Ledger], None]], ...] = (
    (date(2010, 12, 9), founding),
    (date(2010, 12, 20), protected_deal),
    (date(2011, 3, 5), first_quarter),
    (date(2011, 11, 1), transition_ends),
    (date(2012, 1, 30), grace_ends),
)


def record_history(ledger: Ledger) -> None:
    for _, phase in PHASES:
        phase(ledger)
