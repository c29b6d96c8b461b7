"""The seed scenario: reproducible from its seed, telling the program's story through the ledger.

Most tests run a few weeks of business on an in-memory store; one module-scoped run covers the
whole default period (past the end of the transition) for what only shows late: the tier reviews.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from domain.commands import EnrollPartner
from domain.ledger import Ledger
from domain.notice import LEAD_DAYS, Notice
from domain.partner import Partner
from domain.program import Specialization, Tier
from infra.scenario.seed import (
    DEFAULT_DAYS,
    SCENARIO_START,
    SeedStoreNotEmpty,
    SeedSummary,
    run_seed_scenario,
)
from tests.builders.program import in_memory_ledger
from tests.fixtures.seed_golden import pinned, summarize

TRANSITION_ENDS_ON = date(2011, 11, 1)
# The commands the scenario gets wrong on purpose, by the rule the ledger cites.
DELIBERATE_MISTAKES = {
    "opportunity-open",
    "only-holder-releases-protection",
    "opportunity-details-consistent",
    "partner-must-be-enrolled",
    "opportunity-must-be-registered",
    "specialization-requirements",
    "specialization-awarded-once",
    "certification-must-be-active",
}


def seeded(seed: int = 2010, days: int = 30) -> tuple[Ledger, SeedSummary]:
    ledger = in_memory_ledger()
    return ledger, run_seed_scenario(ledger, seed=seed, days=days)


def stored_events(ledger: Ledger) -> list[Any]:
    notifications = ledger.recorder.select_notifications(start=1, limit=10**6)
    return [ledger.mapper.to_domain_event(n) for n in notifications]


def history(ledger: Ledger) -> list[tuple[str, int, dict[str, Any]]]:
    """Every stored event as (topic, version, attributes), without the wall-clock timestamp."""
    notifications = ledger.recorder.select_notifications(start=1, limit=10**6)
    return [
        (n.topic, n.originator_version, without_timestamp(ledger.mapper.to_domain_event(n)))
        for n in notifications
    ]


def without_timestamp(event: object) -> dict[str, Any]:
    # The library stamps events with the wall clock; everything else must come from the seed.
    return {name: value for name, value in vars(event).items() if name != "timestamp"}


def of_type(events: list[Any], name: str) -> list[Any]:
    return [e for e in events if type(e).__name__ == name]


FullRun = tuple[SeedSummary, list[Any]]


@pytest.fixture(scope="module")
def full_run() -> FullRun:
    ledger = in_memory_ledger()
    summary = run_seed_scenario(ledger)
    return summary, stored_events(ledger)


# --- reproducibility -----------------------------------------------------------------------


def test_the_default_seed_records_the_pinned_golden_summary(full_run: FullRun) -> None:
    """tests/fixtures/seed_golden.json; after a deliberate change to the scenario or the
    rules, regenerate it (`make seed-golden`) and review the diff."""
    summary, events = full_run
    golden = pinned()
    assert summarize(events) == golden
    reasons = Counter[str]()
    for outcome_and_reason, count in golden["decisions_by_outcome_and_reason"].items():
        reasons[outcome_and_reason.split(" ", 1)[1]] += count
    assert summary.decisions == dict(reasons)
    assert summary.events == golden["events"]


def test_the_same_seed_records_the_same_history() -> None:
    first_ledger, first = seeded(seed=7, days=120)
    second_ledger, second = seeded(seed=7, days=120)
    assert first == second
    assert history(first_ledger) == history(second_ledger)
    assert len(history(first_ledger)) == first.events


def test_different_seeds_record_different_histories() -> None:
    one, _ = seeded(seed=1)
    other, _ = seeded(seed=2)
    assert history(one) != history(other)


# --- the program's set-up ------------------------------------------------------------------


def test_the_120_managed_partners_are_enrolled_with_their_legacy_tiers_antemeta_first() -> None:
    ledger, summary = seeded(days=1)
    enrolled = of_type(stored_events(ledger), "Enrolled")
    assert len(enrolled) == summary.recorded["EnrollPartner"] == 120
    assert len({e.code for e in enrolled}) == 120
    first = enrolled[0]
    assert (first.code, first.name, first.legacy_tier) == ("antemeta", "Antemeta", Tier.GOLD)
    tiers = Counter(e.legacy_tier for e in enrolled)
    assert tiers == {Tier.PLATINUM: 3, Tier.GOLD: 15, Tier.SILVER: 40, Tier.REGISTERED: 62}
    assert {e.enrolled_on for e in enrolled} == {SCENARIO_START}


def test_rules_are_published_before_anything_else() -> None:
    ledger, _ = seeded(days=1)
    first, published = stored_events(ledger)[:2]
    assert type(first).__name__ == "Started"
    assert type(published).__name__ == "RulesPublished"
    assert published.version == "2010.2"


def test_fewer_than_20_partners_are_specialized_antemeta_first_in_data_protection(
    full_run: FullRun,
) -> None:
    _, events = full_run
    awards = of_type(events, "SpecializationAwarded")
    partners = {e.originator_id: e.code for e in of_type(events, "Enrolled")}
    first = awards[0]
    assert partners[first.originator_id] == "antemeta"
    assert first.specialization is Specialization.DATA_PROTECTION
    assert first.contract_reference == "SPEC-2010-001"
    specialized = {e.originator_id for e in awards}
    assert 1 < len(specialized) < 20
    per_partner = Counter((e.originator_id, e.specialization) for e in awards)
    assert len({partner for partner, _ in per_partner}) < len(per_partner)  # some hold two
    assert len({e.specialization for e in awards}) == len(Specialization)
    assert len({e.contract_reference for e in awards}) == len(awards)


def test_certifications_lapse_during_the_year_and_specializations_are_withdrawn(
    full_run: FullRun,
) -> None:
    summary, events = full_run
    assert of_type(events, "CertificationExpired")
    assert of_type(events, "CertificationRevoked")
    withdrawn = of_type(events, "SpecializationWithdrawn")
    assert withdrawn
    assert summary.time_effects["specializations_withdrawn"] == len(withdrawn)
    # A partner that lost its specialization re-qualifies and is awarded it again.
    awarded_again = Counter(
        (e.originator_id, e.specialization) for e in of_type(events, "SpecializationAwarded")
    )
    assert any(awarded_again[(e.originator_id, e.specialization)] > 1 for e in withdrawn)


# --- a year of business --------------------------------------------------------------------


def test_registrations_are_granted_and_denied_for_several_reasons(full_run: FullRun) -> None:
    summary, events = full_run
    granted = of_type(events, "ExclusivityGranted")
    denied = of_type(events, "ExclusivityDenied")
    non_exclusive = of_type(events, "RegisteredNonExclusive")
    # The scenario's customers come back under new references: suspected conflicts.
    suspected = of_type(events, "ConflictSuspected")
    assert granted
    assert non_exclusive  # pre-sales work rewarded without exclusivity
    assert suspected
    denial_reasons = {e.reason_code for e in denied}
    assert {
        "denied-renewal",
        "denied-no-presales-evidence",
        "denied-vendor-sales-engaged",
        "denied-already-protected",
    } <= denial_reasons
    assert sum(summary.decisions.values()) == (
        len(granted) + len(denied) + len(non_exclusive) + len(suspected)
    )
    assert summary.decisions["review-conflict-suspected"] == len(suspected)
    assert summary.decisions["granted-first-qualified-registrant"] == len(granted)


def test_partners_compete_for_opportunities_and_register_again_after_expiry(
    full_run: FullRun,
) -> None:
    _, events = full_run
    registrations = of_type(events, "Registered")
    registrants = Counter(e.originator_id for e in registrations)
    assert max(registrants.values()) >= 3
    assert of_type(events, "ExclusivityExpired")
    assert of_type(events, "ExclusivityReleased")
    again = Counter((e.originator_id, e.partner_id) for e in registrations)
    assert any(count > 1 for count in again.values())


def test_quotes_and_outcomes_cover_holders_competitors_and_losses(full_run: FullRun) -> None:
    _, events = full_run
    protections = {e.protection for e in of_type(events, "QuoteIssued")}
    assert protections == {
        "holder",
        "protected-for-another",
        "unprotected",
        "preferred",
        "preferred-another-protected",
    }
    wins = of_type(events, "Won")
    assert {w.qualified for w in wins} == {True, False}
    assert of_type(events, "Lost")
    assert len(of_type(events, "QualifiedRevenueCredited")) == sum(w.qualified for w in wins)


def test_tiers_change_only_after_the_transition(full_run: FullRun) -> None:
    summary, events = full_run
    changes = of_type(events, "TierChanged")
    assert changes
    assert all(c.reviewed_on >= TRANSITION_ENDS_ON for c in changes)
    assert summary.time_effects["tier_changes"] == len(changes)
    order = list(Tier)
    moves = {order.index(c.to_tier) > order.index(c.from_tier) for c in changes}
    assert moves == {True, False}  # upgrades at the first review, downgrades after the grace


def test_the_summary_counts_what_the_store_holds(full_run: FullRun) -> None:
    summary, events = full_run
    assert summary.first_day == SCENARIO_START
    assert (summary.last_day - summary.first_day).days == DEFAULT_DAYS - 1
    assert summary.events == len(events)
    assert 2_000 <= summary.events <= 10_000
    assert summary.recorded["RegisterDeal"] == len(of_type(events, "Registered"))
    assert summary.recorded["IssueQuote"] == len(of_type(events, "QuoteIssued"))
    assert summary.sweeps >= DEFAULT_DAYS // 7


def test_rejections_are_the_deliberate_mistakes_and_few(full_run: FullRun) -> None:
    summary, _ = full_run
    assert set(summary.rejected) <= DELIBERATE_MISTAKES
    assert summary.rejected
    assert summary.commands_rejected * 20 < summary.commands_recorded


# --- running it ----------------------------------------------------------------------------


def test_progress_is_reported_weekly_and_at_the_end() -> None:
    calls: list[tuple[int, int]] = []
    run_seed_scenario(in_memory_ledger(), days=15, on_progress=lambda d, t: calls.append((d, t)))
    assert calls == [(7, 15), (14, 15), (15, 15)]


def test_a_store_with_history_is_refused_and_left_unchanged() -> None:
    ledger = in_memory_ledger()
    ledger.enroll_partner(EnrollPartner("antemeta", "Antemeta", Tier.GOLD, SCENARIO_START))
    with pytest.raises(SeedStoreNotEmpty, match="already holds 1 events"):
        run_seed_scenario(ledger, days=5)
    assert ledger.recorder.max_notification_id() == 1


@pytest.mark.parametrize(
    ("start", "days", "message"),
    [
        (SCENARIO_START, 0, "days must be at least 1"),
        (date(2010, 6, 1), 30, "before the program rules take effect"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(
    start: date, days: int, message: str
) -> None:
    ledger = in_memory_ledger()
    with pytest.raises(ValueError, match=message):
        run_seed_scenario(ledger, start=start, days=days)
    assert not ledger.recorder.max_notification_id()


# --- the transition the interview describes ------------------------------------------------


def test_no_review_moves_a_partner_down_more_than_one_tier(full_run: FullRun) -> None:
    _, events = full_run
    order = list(Tier)
    drops = [
        order.index(c.from_tier) - order.index(c.to_tier) for c in of_type(events, "TierChanged")
    ]
    assert max(drops) == 1  # some slip, one step at a time


def test_most_legacy_metal_partners_are_still_metal_at_the_end(full_run: FullRun) -> None:
    _, events = full_run
    tiers = {e.originator_id: e.legacy_tier for e in of_type(events, "Enrolled")}
    legacy_metal = {pid for pid, tier in tiers.items() if tier is not Tier.REGISTERED}
    for change in of_type(events, "TierChanged"):
        tiers[change.originator_id] = change.to_tier
    still_metal = {pid for pid in legacy_metal if tiers[pid] is not Tier.REGISTERED}
    assert len(still_metal) >= 0.7 * len(legacy_metal)


def test_legacy_partners_that_slip_get_a_transition_plan_with_a_floor(full_run: FullRun) -> None:
    _, events = full_run
    plans = of_type(events, "TransitionPlanOpened")
    assert plans
    assert all(p.floor_tier is not Tier.REGISTERED for p in plans)
    planned = {p.originator_id for p in plans}
    held = [r for r in of_type(events, "TierReviewed") if r.outcome == "held-by-plan"]
    assert held
    assert {r.originator_id for r in held} <= planned


def test_some_partners_climb_on_qualified_revenue(full_run: FullRun) -> None:
    _, events = full_run
    order = list(Tier)
    assert any(
        order.index(c.to_tier) > order.index(c.from_tier) and not c.specializations_held
        for c in of_type(events, "TierChanged")
    )


def test_only_protected_partners_draw_vendor_engineer_days(full_run: FullRun) -> None:
    _, events = full_run
    grants = {(e.originator_id, e.decision_id): e for e in of_type(events, "BenefitsGranted")}
    drawn = of_type(events, "EngineerDaysConsumed")
    assert drawn
    assert all((d.originator_id, d.decision_id) in grants for d in drawn)
    assert all(grants[(d.originator_id, d.decision_id)].partner_id == d.partner_id for d in drawn)


# --- notices -------------------------------------------------------------------------------


def test_the_scenarios_sweeps_issue_every_kind_of_notice_each_once(full_run: FullRun) -> None:
    _, events = full_run
    issued = [e for e in events if isinstance(e, Notice.Issued)]
    assert {(e.kind, e.days_before) for e in issued} == {
        (kind.value, lead) for kind, leads in LEAD_DAYS.items() for lead in leads
    }
    assert len({e.originator_id for e in issued}) == len(issued)
    # A pending downgrade is told to the partner it would move down, and to no one else.
    for downgrade in (e for e in issued if e.kind == "downgrade-pending"):
        assert downgrade.partner_id == Partner.create_id(downgrade.partner_code)
