"""No rupture: a review moves a partner down at most the rules' steps, never below a running
plan's floor; legacy metal partners that earn less get a transition plan with a due date."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.partner import Partner
from domain.program import CertificationKind, Specialization, Tier
from domain.rules import TIER_ORDER, Standing
from domain.tier_review import ReviewOutcome, review_tier
from domain.transition_plan import Milestone
from tests.builders.program import ENROLLED_ON, current_rules, default_rules
from tests.unit.domain.test_program_invariants import FAST

RULES = current_rules()
TRANSITION_ENDS = date(2011, 11, 1)
GRACE_ENDS = TRANSITION_ENDS + timedelta(days=RULES.downgrade_grace_days)
NOTHING = Standing(Decimal(0), 0, 0, 0)

standings = st.builds(
    Standing,
    st.integers(0, 3_000_000).map(Decimal),
    st.integers(0, 3),
    st.integers(0, 4),
    st.integers(0, 4),
)


@FAST
@given(
    current=st.sampled_from(TIER_ORDER),
    standing=standings,
    steps=st.integers(1, 3),
    floor=st.none() | st.sampled_from(TIER_ORDER),
)
def test_a_review_never_moves_a_partner_down_more_than_the_rules_allow(
    current, standing, steps, floor
):
    rules = current_rules(max_downgrade_steps=steps)

    review = review_tier(current, GRACE_ENDS, standing, GRACE_ENDS, rules, floor)

    drop = TIER_ORDER.index(current) - TIER_ORDER.index(review.new_tier)
    assert drop <= steps
    if floor is not None and drop > 0:
        assert TIER_ORDER.index(review.new_tier) >= TIER_ORDER.index(floor)
    assert review.outcome.changes_tier is (review.new_tier is not current)


def test_a_platinum_earning_nothing_drops_to_gold_not_to_registered():
    review = review_tier(Tier.PLATINUM, GRACE_ENDS, NOTHING, GRACE_ENDS, RULES)

    assert (review.outcome, review.earned, review.new_tier) == (
        ReviewOutcome.DOWNGRADE,
        Tier.REGISTERED,
        Tier.GOLD,
    )


def test_a_plan_floor_at_the_tier_held_holds_it_without_a_pending_downgrade():
    review = review_tier(Tier.SILVER, None, NOTHING, TRANSITION_ENDS, RULES, floor=Tier.SILVER)

    assert review.outcome is ReviewOutcome.HELD_BY_PLAN
    assert review.outcome.at_risk
    assert review.downgrade_due_on is None


# --- the plan on the Partner aggregate -----------------------------------------------------


def legacy_partner(tier: Tier) -> Partner:
    return Partner.enroll("legacy-co", "Legacy Co", tier, ENROLLED_ON)


def test_a_legacy_metal_partner_earning_less_gets_a_plan_with_what_it_lacks():
    partner = legacy_partner(Tier.GOLD)

    partner.review_tier(TRANSITION_ENDS, RULES)

    opened = [e for e in partner.collect_events() if isinstance(e, Partner.TransitionPlanOpened)]
    assert len(opened) == 1
    plan = opened[0]
    gold = RULES.tier_terms(Tier.GOLD)
    assert (plan.legacy_tier, plan.earned_tier, plan.floor_tier) == (
        Tier.GOLD,
        Tier.REGISTERED,
        Tier.SILVER,
    )
    assert plan.due_on == TRANSITION_ENDS + timedelta(days=RULES.transition_plan_days)
    assert plan.qualified_revenue_short == gold.min_qualified_revenue
    assert (plan.sales_certified_short, plan.technical_certified_short) == (
        gold.min_sales_certified,
        gold.min_technical_certified,
    )


def test_a_legacy_silver_keeps_silver_while_its_plan_runs():
    partner = legacy_partner(Tier.SILVER)
    partner.review_tier(TRANSITION_ENDS, RULES)

    review = partner.review_tier(GRACE_ENDS, RULES)

    assert review.outcome is ReviewOutcome.HELD_BY_PLAN
    assert partner.tier is Tier.SILVER


def test_a_legacy_silver_slips_one_tier_once_its_plan_is_past_due_and_the_grace_over():
    partner = legacy_partner(Tier.SILVER)
    partner.review_tier(TRANSITION_ENDS, RULES)
    due = partner.transition_plan.due_on

    partner.review_tier(due, RULES)  # the plan closes; the downgrade is announced
    review = partner.review_tier(due + timedelta(days=RULES.downgrade_grace_days), RULES)

    events = partner.collect_events()
    closed = [e for e in events if isinstance(e, Partner.TransitionPlanClosed)]
    assert [c.reason for c in closed] == ["due-date-passed"]
    assert review.outcome is ReviewOutcome.DOWNGRADE
    assert partner.tier is Tier.REGISTERED


def test_a_registered_legacy_partner_gets_no_plan():
    partner = legacy_partner(Tier.REGISTERED)

    partner.review_tier(TRANSITION_ENDS, RULES)

    assert partner.transition_plan is None


def test_certified_people_meet_a_milestone_and_the_plan_records_it():
    partner = legacy_partner(Tier.SILVER)
    partner.review_tier(TRANSITION_ENDS, RULES)
    for name, kind in (("Ann", CertificationKind.SALES), ("Bob", CertificationKind.TECHNICAL)):
        partner.earn_certification(
            name, kind, Specialization.DATA_PROTECTION, date(2011, 11, 10), date(2013, 11, 10)
        )

    partner.review_tier(GRACE_ENDS, RULES)

    met = [
        e.milestone
        for e in partner.collect_events()
        if type(e).__name__ == "TransitionPlanMilestoneMet"
    ]
    assert met == [Milestone.SALES_CERTIFIED.value, Milestone.TECHNICAL_CERTIFIED.value]
    assert partner.transition_plan.open_milestones == {Milestone.QUALIFIED_REVENUE}


def test_the_2010_1_rules_open_no_plan_and_drop_straight_to_the_earned_tier():

    partner = legacy_partner(Tier.PLATINUM)
    legacy_rules = default_rules()
    partner.review_tier(TRANSITION_ENDS, legacy_rules)

    partner.review_tier(GRACE_ENDS, legacy_rules)

    assert partner.transition_plan is None
    assert partner.tier is Tier.REGISTERED
