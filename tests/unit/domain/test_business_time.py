"""Business time only moves forward, and decisions use the facts of their own date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.commands import RecordWin
from domain.errors import BusinessDateBeforeHistory
from domain.exclusivity import ExclusivityReason
from domain.program import Tier
from tests.builders.program import (
    AWARDED_ON,
    OPP,
    deal_registration,
    default_rules,
    enroll,
    enroll_specialist,
    in_memory_ledger,
)


def test_a_registration_dated_before_the_award_is_judged_without_it():
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    result = ledger.register_deal(deal_registration("antemeta", AWARDED_ON - timedelta(days=1)))
    assert result.decision.reason is ExclusivityReason.NOT_SPECIALIZED


def test_a_pending_downgrade_applies_on_its_due_date_between_reviews():
    rules = default_rules(downgrade_grace_days=30, tier_review_interval_days=90)
    ledger = in_memory_ledger(rules)
    enroll(ledger, "nordsecure", Tier.GOLD)
    first_review = rules.transition_ends_on
    ledger.sweep(first_review)
    assert ledger.get_partner("nordsecure").downgrade_due_on == first_review + timedelta(days=30)

    ledger.sweep(first_review + timedelta(days=30))

    assert ledger.get_partner("nordsecure").tier is Tier.REGISTERED


def test_a_win_dated_before_the_registration_is_refused():
    ledger = in_memory_ledger(default_rules())
    enroll_specialist(ledger, "antemeta")
    ledger.register_deal(deal_registration("antemeta"))
    before = ledger.recorder.max_notification_id()
    with pytest.raises(BusinessDateBeforeHistory):
        ledger.record_win(RecordWin(OPP, "antemeta", Decimal(1000), date(2010, 6, 1)))
    assert ledger.recorder.max_notification_id() == before
