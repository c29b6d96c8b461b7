"""Tier review: no rupture during the transition, upgrades at once, downgrades after grace.

Default rules: transition ends 2011-11-01; reviews every 90 days; 90 days of grace before a
downgrade; silver needs 100 000 of qualified revenue and one specialization, gold 500 000 and
one, platinum 1 500 000 and two; revenue counts over a trailing 365 days.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.commands import RecordWin
from domain.identity import event_id
from domain.ledger import Ledger
from domain.partner import Partner
from domain.program import Specialization, Tier
from domain.rules import ProgramRules, Standing
from domain.tier_review import ReviewOutcome, review_due, review_tier
from tests.builders.program import (
    AWARDED_ON,
    DP,
    ENROLLED_ON,
    TEAM,
    deal_registration,
    default_rules,
    enroll,
    in_memory_ledger,
    make_specialist,
)

HA = Specialization.HIGH_AVAILABILITY
TRANSITION_ENDS = date(2011, 11, 1)
DUE_AFTER_GRACE = TRANSITION_ENDS + timedelta(days=90)  # 2012-01-30
RULES = default_rules()


# --- the pure review -----------------------------------------------------------------------


def review(
    current: Tier,
    revenue: int,
    specializations: int,
    as_of: date = TRANSITION_ENDS,
    due_on: date | None = None,
    rules: ProgramRules = RULES,
):
    return review_tier(current, due_on, Standing(Decimal(revenue), specializations), as_of, rules)


def test_nothing_changes_during_the_transition():
    result = review(Tier.GOLD, 0, 0, as_of=TRANSITION_ENDS - timedelta(days=1))

    assert result.outcome is ReviewOutcome.IN_TRANSITION
    assert result.current is Tier.GOLD
    assert result.downgrade_due_on is None
    assert not result.outcome.changes_tier


def test_the_transition_also_holds_back_an_upgrade():
    result = review(Tier.SILVER, 2_000_000, 2, as_of=date(2011, 6, 1))

    assert result.outcome is ReviewOutcome.IN_TRANSITION
    assert result.earned is Tier.PLATINUM


def test_upgrade_is_immediate_once_the_transition_ends():
    result = review(Tier.SILVER, 600_000, 1)

    assert result.outcome is ReviewOutcome.UPGRADE
    assert result.earned is Tier.GOLD
    assert result.outcome.changes_tier


def test_upgrade_can_skip_tiers():
    assert review(Tier.REGISTERED, 2_000_000, 2).earned is Tier.PLATINUM


def test_tier_is_unchanged_when_the_earned_tier_is_the_one_held():
    result = review(Tier.GOLD, 500_000, 1)

    assert result.outcome is ReviewOutcome.UNCHANGED
    assert result.downgrade_due_on is None


def test_downgrade_is_pending_for_the_grace_period():
    result = review(Tier.GOLD, 100_000, 1)

    assert result.outcome is ReviewOutcome.DOWNGRADE_PENDING
    assert result.downgrade_due_on == DUE_AFTER_GRACE
    assert not result.outcome.changes_tier


def test_pending_downgrade_keeps_its_due_date_at_later_reviews():
    result = review(Tier.GOLD, 0, 0, as_of=date(2011, 12, 15), due_on=DUE_AFTER_GRACE)

    assert result.outcome is ReviewOutcome.DOWNGRADE_PENDING
    assert result.downgrade_due_on == DUE_AFTER_GRACE


def test_downgrade_is_still_pending_the_day_before_it_is_due():
    result = review(
        Tier.GOLD, 0, 0, as_of=DUE_AFTER_GRACE - timedelta(days=1), due_on=DUE_AFTER_GRACE
    )

    assert result.outcome is ReviewOutcome.DOWNGRADE_PENDING


def test_downgrade_takes_effect_on_the_due_date():
    result = review(Tier.GOLD, 100_000, 1, as_of=DUE_AFTER_GRACE, due_on=DUE_AFTER_GRACE)

    assert result.outcome is ReviewOutcome.DOWNGRADE
    assert result.earned is Tier.SILVER
    assert result.outcome.changes_tier


def test_downgrade_takes_effect_after_the_due_date():
    result = review(Tier.GOLD, 0, 0, as_of=date(2012, 5, 1), due_on=DUE_AFTER_GRACE)

    assert result.outcome is ReviewOutcome.DOWNGRADE
    assert result.earned is Tier.REGISTERED


def test_zero_grace_downgrades_at_the_first_failing_review():
    result = review(Tier.GOLD, 0, 0, rules=default_rules(downgrade_grace_days=0))

    assert result.outcome is ReviewOutcome.DOWNGRADE


def test_grace_period_length_comes_from_the_rules():
    result = review(Tier.GOLD, 0, 0, rules=default_rules(downgrade_grace_days=30))

    assert result.downgrade_due_on == TRANSITION_ENDS + timedelta(days=30)


def test_earning_more_than_held_during_a_pending_downgrade_upgrades_at_once():
    result = review(Tier.SILVER, 600_000, 1, as_of=date(2011, 12, 1), due_on=DUE_AFTER_GRACE)

    assert result.outcome is ReviewOutcome.UPGRADE
    assert result.downgrade_due_on is None


def test_recovering_the_held_tier_during_grace_clears_the_due_date():
    result = review(Tier.GOLD, 500_000, 1, as_of=date(2011, 12, 1), due_on=DUE_AFTER_GRACE)

    assert result.outcome is ReviewOutcome.UNCHANGED
    assert result.downgrade_due_on is None


def test_no_review_is_due_during_the_transition():
    assert not review_due(None, TRANSITION_ENDS - timedelta(days=1), RULES)


def test_first_review_is_due_when_the_transition_ends():
    assert review_due(None, TRANSITION_ENDS, RULES)


def test_next_review_is_not_due_before_the_interval():
    assert not review_due(TRANSITION_ENDS, TRANSITION_ENDS + timedelta(days=89), RULES)


def test_next_review_is_due_when_the_interval_has_passed():
    assert review_due(TRANSITION_ENDS, TRANSITION_ENDS + timedelta(days=90), RULES)


def test_review_interval_comes_from_the_rules():
    rules = default_rules(tier_review_interval_days=30)

    assert review_due(TRANSITION_ENDS, TRANSITION_ENDS + timedelta(days=30), rules)


# --- on the Partner aggregate --------------------------------------------------------------


def enrolled(tier: Tier = Tier.GOLD) -> Partner:
    return Partner.enroll("antemeta", "Antemeta", tier, ENROLLED_ON)


def specialize(partner: Partner, specialization: Specialization = DP) -> None:
    for individual, kind in TEAM:
        partner.earn_certification(
            individual, kind, specialization, date(2010, 11, 15), date(2014, 11, 15)
        )
    partner.award_specialization(
        specialization, f"contract-{specialization.value}", AWARDED_ON, RULES
    )


def credit(partner: Partner, amount: int, won_on: date = date(2011, 6, 1)) -> None:
    partner.credit_qualified_revenue(uuid4(), Decimal(amount), won_on, uuid4())


def events_of(partner: Partner, kind: type) -> list[Any]:
    return [e for e in partner.collect_events() if isinstance(e, kind)]


def ids_of(partner_events: list[Any]) -> list[Any]:
    return [event_id(e.originator_id, e.originator_version) for e in partner_events]


def test_review_in_transition_records_no_event_and_keeps_the_legacy_tier():
    partner = enrolled(Tier.GOLD)
    partner.collect_events()

    result = partner.review_tier(date(2011, 6, 1), RULES)

    assert result.outcome is ReviewOutcome.IN_TRANSITION
    assert partner.collect_events() == []
    assert partner.tier is Tier.GOLD
    assert partner.last_reviewed_on is None


def test_upgrade_records_tier_changed_from_and_to():
    partner = enrolled(Tier.SILVER)
    specialize(partner)
    credit(partner, 600_000)

    partner.review_tier(TRANSITION_ENDS, RULES)

    (changed,) = events_of(partner, Partner.TierChanged)
    assert (changed.from_tier, changed.to_tier) == (Tier.SILVER, Tier.GOLD)
    assert partner.tier is Tier.GOLD


def test_tier_changed_carries_rules_version_review_date_and_qualified_revenue():
    partner = enrolled(Tier.SILVER)
    specialize(partner)
    credit(partner, 400_000)
    credit(partner, 200_000, date(2011, 9, 1))

    partner.review_tier(TRANSITION_ENDS, default_rules(version="2011.review"))

    (changed,) = events_of(partner, Partner.TierChanged)
    assert changed.rules_version == "2011.review"
    assert changed.reviewed_on == TRANSITION_ENDS
    assert changed.qualified_revenue == Decimal(600_000)


def test_tier_changed_cites_revenue_credits_and_specialization_awards_as_evidence():
    partner = enrolled(Tier.REGISTERED)
    specialize(partner, DP)
    specialize(partner, HA)
    credit(partner, 1_000_000)
    credit(partner, 600_000)
    events = partner.collect_events()
    credits = [e for e in events if isinstance(e, Partner.QualifiedRevenueCredited)]
    awards = [e for e in events if isinstance(e, Partner.SpecializationAwarded)]

    partner.review_tier(TRANSITION_ENDS, RULES)

    (changed,) = events_of(partner, Partner.TierChanged)
    assert changed.to_tier is Tier.PLATINUM
    assert sorted(changed.evidence_event_ids) == sorted(ids_of(credits) + ids_of(awards))


def test_tier_changed_lists_the_specializations_held():
    partner = enrolled(Tier.REGISTERED)
    specialize(partner, HA)
    specialize(partner, DP)
    credit(partner, 2_000_000)

    partner.review_tier(TRANSITION_ENDS, RULES)

    (changed,) = events_of(partner, Partner.TierChanged)
    assert set(changed.specializations_held) == {DP, HA}


def test_tier_changed_evidence_leaves_out_credits_outside_the_revenue_window():
    partner = enrolled(Tier.REGISTERED)
    specialize(partner)
    credit(partner, 900_000, date(2010, 12, 1))  # more than 365 days before the review
    credit(partner, 150_000, date(2011, 10, 1))
    stale, fresh = events_of(partner, Partner.QualifiedRevenueCredited)

    partner.review_tier(date(2011, 12, 15), RULES)

    (changed,) = events_of(partner, Partner.TierChanged)
    assert changed.to_tier is Tier.SILVER
    assert changed.qualified_revenue == Decimal(150_000)
    assert ids_of([fresh])[0] in changed.evidence_event_ids
    assert ids_of([stale])[0] not in changed.evidence_event_ids


def test_pending_downgrade_is_recorded_as_a_review_and_keeps_the_tier():
    partner = enrolled(Tier.GOLD)
    partner.collect_events()

    partner.review_tier(TRANSITION_ENDS, RULES)

    (reviewed,) = partner.collect_events()
    assert isinstance(reviewed, Partner.TierReviewed)
    assert (reviewed.tier, reviewed.earned_tier) == (Tier.GOLD, Tier.REGISTERED)
    assert reviewed.downgrade_due_on == DUE_AFTER_GRACE
    assert reviewed.rules_version == "2010.1"
    assert partner.tier is Tier.GOLD
    assert partner.downgrade_due_on == DUE_AFTER_GRACE


def test_pending_downgrade_keeps_the_first_due_date_at_later_reviews():
    partner = enrolled(Tier.GOLD)
    partner.review_tier(TRANSITION_ENDS, RULES)

    partner.review_tier(date(2011, 12, 20), RULES)

    assert partner.tier is Tier.GOLD
    assert partner.downgrade_due_on == DUE_AFTER_GRACE


def test_downgrade_at_the_due_date_records_tier_changed():
    partner = enrolled(Tier.GOLD)
    partner.review_tier(TRANSITION_ENDS, RULES)
    partner.collect_events()

    result = partner.review_tier(DUE_AFTER_GRACE, RULES)

    assert result.outcome is ReviewOutcome.DOWNGRADE
    (changed,) = partner.collect_events()
    assert isinstance(changed, Partner.TierChanged)
    assert (changed.from_tier, changed.to_tier) == (Tier.GOLD, Tier.REGISTERED)
    assert changed.qualified_revenue == Decimal(0)
    assert partner.tier is Tier.REGISTERED
    assert partner.downgrade_due_on is None


def test_recovery_before_the_due_date_clears_the_pending_downgrade():
    partner = enrolled(Tier.GOLD)
    partner.review_tier(TRANSITION_ENDS, RULES)
    specialize(partner)
    credit(partner, 500_000, date(2011, 12, 1))

    result = partner.review_tier(date(2011, 12, 15), RULES)

    assert result.outcome is ReviewOutcome.UNCHANGED
    assert partner.downgrade_due_on is None
    assert partner.tier is Tier.GOLD


def test_a_new_shortfall_after_recovery_starts_a_fresh_grace_period():
    partner = enrolled(Tier.GOLD)
    partner.review_tier(TRANSITION_ENDS, RULES)
    specialize(partner)
    credit(partner, 500_000, date(2011, 12, 1))
    partner.review_tier(date(2011, 12, 15), RULES)

    result = partner.review_tier(date(2012, 12, 15), RULES)  # the credit has left the window

    assert result.outcome is ReviewOutcome.DOWNGRADE_PENDING
    assert partner.downgrade_due_on == date(2012, 12, 15) + timedelta(days=90)
    assert partner.tier is Tier.GOLD


def test_every_review_after_the_transition_records_its_date():
    partner = enrolled(Tier.REGISTERED)

    partner.review_tier(TRANSITION_ENDS, RULES)

    assert partner.last_reviewed_on == TRANSITION_ENDS
    (reviewed,) = events_of(partner, Partner.TierReviewed)
    assert reviewed.tier is reviewed.earned_tier is Tier.REGISTERED


# --- through the ledger's sweep ------------------------------------------------------------


def new_ledger(*codes_and_tiers: tuple[str, Tier]) -> Ledger:
    ledger = in_memory_ledger(RULES)
    for code, tier in codes_and_tiers:
        enroll(ledger, code, tier)
    return ledger


def protected_win(ledger: Ledger, code: str, reference: str, amount: int, on: date) -> bool:
    registration = deal_registration(
        code,
        on,
        opportunity=reference,
        value=Decimal(amount),
        expected_close=on + timedelta(days=30),
    )
    ledger.register_deal(registration)
    return ledger.record_win(RecordWin(reference, code, Decimal(amount), on + timedelta(days=20)))


def tier_events(ledger: Ledger, code: str) -> list[Any]:
    events = ledger.events.get(Partner.create_id(code))
    return [e for e in events if isinstance(e, Partner.TierReviewed | Partner.TierChanged)]


def test_sweep_during_the_transition_reviews_nobody():
    ledger = new_ledger(("antemeta", Tier.GOLD))

    report = ledger.sweep(TRANSITION_ENDS - timedelta(days=1))

    assert report.tier_reviews == 0
    assert tier_events(ledger, "antemeta") == []


def test_sweep_reviews_every_partner_when_the_transition_ends():
    ledger = new_ledger(("antemeta", Tier.GOLD), ("datasafe", Tier.REGISTERED))

    report = ledger.sweep(TRANSITION_ENDS)

    assert report.tier_reviews == 2
    assert report.tier_changes == 0


def test_sweep_does_not_review_again_before_the_interval():
    ledger = new_ledger(("antemeta", Tier.GOLD))
    ledger.sweep(TRANSITION_ENDS)

    report = ledger.sweep(TRANSITION_ENDS + timedelta(days=89))

    assert report.tier_reviews == 0
    assert len(tier_events(ledger, "antemeta")) == 1


def test_sweep_upgrades_a_partner_whose_protected_wins_qualify():
    ledger = new_ledger(("antemeta", Tier.SILVER))
    make_specialist(ledger, "antemeta", certified_until=date(2014, 1, 1))
    assert protected_win(ledger, "antemeta", "opp-1", 300_000, date(2011, 3, 1))
    assert protected_win(ledger, "antemeta", "opp-2", 250_000, date(2011, 8, 1))

    report = ledger.sweep(TRANSITION_ENDS)

    assert report.tier_changes == 1
    assert ledger.get_partner("antemeta").tier is Tier.GOLD
    (changed,) = tier_events(ledger, "antemeta")
    assert changed.qualified_revenue == Decimal(550_000)
    assert len(changed.evidence_event_ids) == 3  # two revenue credits and one award


def test_sweep_downgrades_after_the_grace_period():
    ledger = new_ledger(("antemeta", Tier.GOLD))
    first = ledger.sweep(TRANSITION_ENDS)
    assert ledger.get_partner("antemeta").tier is Tier.GOLD

    second = ledger.sweep(DUE_AFTER_GRACE)

    assert (first.tier_changes, second.tier_changes) == (0, 1)
    assert ledger.get_partner("antemeta").tier is Tier.REGISTERED
    reviewed, changed = tier_events(ledger, "antemeta")
    assert isinstance(reviewed, Partner.TierReviewed)
    assert isinstance(changed, Partner.TierChanged)
    assert changed.rules_version == "2010.1"


@pytest.mark.parametrize("legacy", list(Tier), ids=lambda t: t.value)
def test_legacy_tier_is_kept_through_the_transition_whatever_it_was(legacy):
    ledger = new_ledger(("antemeta", legacy))

    ledger.sweep(date(2011, 10, 31))

    assert ledger.get_partner("antemeta").tier is legacy
