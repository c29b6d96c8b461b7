"""Properties the program promises whatever happens (DESIGN.md §3):

- at most one active exclusivity per opportunity;
- on a protected opportunity the exclusive specialist is quoted the lowest net price;
- no tier changes without a tier-changed event carrying the rules version and evidence.

Histories are driven through the ledger on an in-memory store; each property keeps to about
fifty examples so the unit suite stays fast.
"""

from contextlib import suppress
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import hypothesis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.commands import (
    AwardSpecialization,
    IssueQuote,
    RecordLoss,
    RecordWin,
    RegisterDeal,
    ReleaseExclusivity,
    RevokeCertification,
)
from domain.errors import (
    AlreadyHoldsExclusivity,
    InvalidProgramRules,
    NotProtectionHolder,
    OpportunityClosed,
    SpecializationAlreadyHeld,
    UnknownCertification,
    UnknownOpportunity,
)
from domain.identity import event_id
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.pricing import Protection, price_quote
from domain.program import CertificationKind, Specialization, Tier
from domain.rules import TIER_ORDER, ProgramRules
from tests.builders.program import (
    DP,
    ENROLLED_ON,
    OPP,
    certify_team,
    default_rules,
    enroll,
    in_memory_ledger,
    make_specialist,
)

DEFAULT_RULES = default_rules()
HA = Specialization.HIGH_AVAILABILITY
FAST = settings(max_examples=50, deadline=None)


def eid(event: Any) -> UUID:
    return event_id(event.originator_id, event.originator_version)


# --- (a) at most one active exclusivity per opportunity ------------------------------------

COMPETITORS = ("antemeta", "datasafe", "stockit", "newcomer")  # newcomer holds no specialization
OPPORTUNITY_ACTIONS = (
    *["register"] * 10,
    *["release"] * 3,
    *["sweep"] * 3,
    *["quote"] * 2,
)
closing_steps = st.tuples(
    st.sampled_from(["win", "lose"]), st.integers(0, len(COMPETITORS) - 1), st.integers(0, 25)
).map(lambda step: (*step, True))

opportunity_steps = st.lists(
    st.tuples(
        st.sampled_from(OPPORTUNITY_ACTIONS),
        st.integers(0, len(COMPETITORS) - 1),
        st.integers(0, 25),  # days since the previous step
        st.sampled_from([True, True, True, False]),  # new business (register only)
    ),
    min_size=3,
    max_size=30,
)


def competing_ledger(validity_days: int, re_registration_allowed: bool) -> Ledger:
    rules = replace(
        DEFAULT_RULES,
        registration_validity_days=validity_days,
        re_registration_allowed=re_registration_allowed,
    )
    ledger = in_memory_ledger(rules)
    for code in COMPETITORS:
        enroll(ledger, code, Tier.SILVER)
        if code != "newcomer":
            make_specialist(
                ledger,
                code,
                certified_on=date(2010, 11, 10),
                certified_until=date(2014, 11, 10),
                awarded_on=date(2010, 11, 20),
            )
    return ledger


def apply_opportunity_step(ledger: Ledger, step: tuple[str, int, int, bool], on: date) -> None:
    action, who, _, new_business = step
    code = COMPETITORS[who]
    commands = {
        "register": lambda: ledger.register_deal(
            RegisterDeal(
                OPP, "Acme", DP, code, Decimal(1000), on, "proof of concept", new_business, on
            )
        ),
        "release": lambda: ledger.release_exclusivity(ReleaseExclusivity(OPP, code, on, "drop")),
        "sweep": lambda: ledger.sweep(on),
        "quote": lambda: ledger.issue_quote(IssueQuote(OPP, code, Decimal(1000), on)),
        "win": lambda: ledger.record_win(RecordWin(OPP, code, Decimal(900), on)),
        "lose": lambda: ledger.record_loss(RecordLoss(OPP, on, "no budget")),
    }
    # Refused commands are part of random histories; they write nothing.
    with suppress(
        UnknownOpportunity, NotProtectionHolder, OpportunityClosed, AlreadyHoldsExclusivity
    ):
        commands[action]()


def most_active_protections(events: list[Any]) -> tuple[int, set[UUID]]:
    """Fold the opportunity's events: granted minus expired, released or closed."""
    active: set[UUID] = set()
    most = 0
    for event in events:
        if isinstance(event, Opportunity.ExclusivityGranted):
            active.add(eid(event))
        elif isinstance(event, Opportunity.ExclusivityExpired | Opportunity.ExclusivityReleased):
            assert event.decision_id in active, "ended a protection that was not active"
            active.discard(event.decision_id)
        elif isinstance(event, Opportunity.Won | Opportunity.Lost):
            active.clear()
        most = max(most, len(active))
    return most, active


@FAST
@given(
    steps=opportunity_steps,
    closing=st.none() | st.tuples(closing_steps, st.integers(0, 30)),
    validity_days=st.integers(1, 40),
    re_registration_allowed=st.booleans(),
)
def test_an_opportunity_never_has_more_than_one_active_exclusivity(
    steps, closing, validity_days, re_registration_allowed
):
    # Closing ends the story, so it is drawn once and placed anywhere in the history.
    if closing is not None:
        closing_step, position = closing
        steps = [*steps[:position], closing_step, *steps[position:]]
    ledger = competing_ledger(validity_days, re_registration_allowed)
    on = date(2010, 12, 1)
    for step in steps:
        on += timedelta(days=step[2])
        apply_opportunity_step(ledger, step, on)

    events = list(ledger.events.get(Opportunity.create_id(OPP)))
    most, active = most_active_protections(events)

    grants = sum(isinstance(e, Opportunity.ExclusivityGranted) for e in events)
    hypothesis.event(f"exclusivity granted {min(grants, 2)}{'+' if grants >= 2 else ''} times")
    assert most <= 1
    if events:
        protection = ledger.get_opportunity(OPP).protection
        assert active == ({protection.decision_id} if protection else set())


def test_the_protection_fold_would_notice_two_overlapping_grants():
    opportunity = Opportunity.open(OPP, "Acme", DP, date(2010, 12, 1))
    (opened,) = opportunity.collect_events()
    grants = [
        Opportunity.ExclusivityGranted(
            originator_id=opportunity.id,
            originator_version=version,
            timestamp=opened.timestamp,
            partner_id=Partner.create_id(code),
            reason_code="granted-first-qualified-registrant",
            rules_version="2010.1",
            evidence_event_ids=[],
            decided_on=date(2010, 12, 1),
            valid_until=date(2011, 3, 1),
        )
        for version, code in ((2, "antemeta"), (3, "datasafe"))
    ]

    assert most_active_protections([opened, *grants])[0] == 2


# --- (b) the protected specialist is quoted the lowest net price ---------------------------

list_prices = st.decimals(min_value=1, max_value=10**9, places=2)
tiers = st.sampled_from(list(Tier))
specializations = st.sampled_from(list(Specialization))


def percentage_points(low: str, high: str):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2, allow_nan=False)


@st.composite
def pricing_rules(draw, min_uplift: str = "1") -> ProgramRules:
    """A valid rule set with random discounts: bases never fall from tier to tier."""
    base = draw(percentage_points("0", "20"))
    tier_terms = []
    for terms in DEFAULT_RULES.tiers:  # listed lowest tier first
        tier_terms.append(
            replace(
                terms,
                base_discount=base,
                registration_uplift=draw(percentage_points(min_uplift, "20")),
            )
        )
        base += draw(percentage_points("0", "10"))
    specialization_terms = tuple(
        replace(terms, uplift_bonus=draw(percentage_points("0", "10")))
        for terms in DEFAULT_RULES.specializations
    )
    return replace(
        DEFAULT_RULES,
        version="varied",
        tiers=tuple(tier_terms),
        specializations=specialization_terms,
    )


def holder_and_competitors(
    list_price: Decimal, holder_tier: Tier, specialization: Specialization, rules: ProgramRules
) -> tuple[Decimal, list[Decimal]]:
    holder = price_quote(list_price, holder_tier, specialization, Protection.HOLDER, rules)
    competitors = [
        price_quote(list_price, tier, specialization, Protection.PROTECTED_FOR_ANOTHER, rules)
        for tier in Tier
    ]
    return holder.net_price, [c.net_price for c in competitors]


@FAST
@given(list_price=list_prices, holder_tier=tiers, specialization=specializations)
def test_holder_is_quoted_strictly_below_every_competitor_under_the_default_rules(
    list_price, holder_tier, specialization
):
    holder, competitors = holder_and_competitors(
        list_price, holder_tier, specialization, DEFAULT_RULES
    )

    assert all(holder < competitor for competitor in competitors)


@FAST
@given(
    list_price=list_prices,
    holder_tier=tiers,
    specialization=specializations,
    rules=pricing_rules(),
)
def test_holder_is_quoted_strictly_below_every_competitor_under_varied_rules(
    list_price, holder_tier, specialization, rules
):
    holder, competitors = holder_and_competitors(list_price, holder_tier, specialization, rules)

    assert all(holder < competitor for competitor in competitors)


def test_rules_refuse_a_fractional_uplift_that_rounding_could_erase():
    # With a 0.5-point uplift a 1.00 list price rounds to 0.95 for holder and competitor alike.
    with pytest.raises(InvalidProgramRules, match="registration_uplift: must be at least 1 point"):
        replace(
            DEFAULT_RULES,
            tiers=tuple(
                replace(t, registration_uplift=Decimal("0.5")) for t in DEFAULT_RULES.tiers
            ),
        )


# --- (c) tiers change only through evidenced tier-changed events ---------------------------

MEMBERS = ("antemeta", "datasafe", "stockit")
TIER_ACTIONS = ("certify", "certify", "revoke", "win", "win", "win", "sweep", "sweep")
AREAS = (DP, DP, HA)  # deals are all in data protection; a second area opens platinum

tier_steps = st.lists(
    st.tuples(
        st.sampled_from(TIER_ACTIONS),
        st.integers(0, len(MEMBERS) - 1),
        st.integers(0, 90),  # days since the previous step
        st.integers(0, len(AREAS) - 1),
        st.integers(1, 30),  # certification validity in months, or win amount in 50 000s
    ),
    min_size=1,
    max_size=30,
)


def later_rules(grace_days: int, interval_days: int) -> ProgramRules:
    return replace(
        DEFAULT_RULES,
        version="2012.1",
        effective_from=date(2012, 1, 1),
        downgrade_grace_days=grace_days,
        tier_review_interval_days=interval_days,
    )


class TierHistory:
    """Random partner activity: certifications, awards, revocations, protected wins, sweeps."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.deals = 0

    def certify(self, code: str, area: Specialization, on: date, months: int) -> None:
        certify_team(self.ledger, code, area, on, on + timedelta(days=30 * months))
        with suppress(SpecializationAlreadyHeld):
            self.ledger.award_specialization(AwardSpecialization(code, area, f"c-{code}", on))

    def revoke(self, code: str, area: Specialization, on: date) -> None:
        with suppress(UnknownCertification):
            self.ledger.revoke_certification(
                RevokeCertification(code, "Bob", CertificationKind.TECHNICAL, area, on, "left")
            )

    def win(self, code: str, area: Specialization, on: date, amount: Decimal) -> None:
        self.deals += 1
        reference = f"opp-{self.deals}"
        self.ledger.register_deal(
            RegisterDeal(reference, "Acme", area, code, amount, on, "workshop", True, on)
        )
        self.ledger.record_win(RecordWin(reference, code, amount, on))

    def apply(self, step: tuple[str, int, int, int, int], on: date) -> None:
        action, who, _, area_index, size = step
        code, area = MEMBERS[who], AREAS[area_index]
        if action == "certify":
            self.certify(code, area, on, size)
        elif action == "revoke":
            self.revoke(code, area, on)
        elif action == "win":
            self.win(code, DP, on, Decimal(50_000 * size))
        else:
            self.ledger.sweep(on)


def check_tier_history(events: list[Any], rules_by_version: dict[str, ProgramRules]) -> Tier:
    """Replay one partner's events; return the tier the history ends with."""
    partner = None
    credits: dict[UUID, Decimal] = {}
    awards: set[UUID] = set()
    for event in events:
        before = partner.tier if partner is not None else None
        partner = event.mutate(partner)
        if isinstance(event, Partner.QualifiedRevenueCredited):
            credits[eid(event)] = event.amount
        elif isinstance(event, Partner.SpecializationAwarded):
            awards.add(eid(event))
        elif isinstance(event, Partner.TierChanged):
            check_tier_changed(event, before, credits, awards, rules_by_version)
            continue
        if before is not None:
            assert partner.tier is before, f"tier moved without TierChanged: {event!r}"
    return partner.tier


def check_tier_changed(
    event: Any,
    before: Tier,
    credits: dict[UUID, Decimal],
    awards: set[UUID],
    rules_by_version: dict[str, ProgramRules],
) -> None:
    assert event.from_tier is before
    assert event.to_tier is not event.from_tier
    assert event.rules_version in rules_by_version
    rules = rules_by_version[event.rules_version]
    assert not rules.in_transition(event.reviewed_on)
    # Every cited event is a revenue credit or a specialization award recorded before.
    assert set(event.evidence_event_ids) <= set(credits) | awards
    cited_revenue = sum((credits[e] for e in event.evidence_event_ids if e in credits), Decimal(0))
    assert cited_revenue == event.qualified_revenue
    earned = rules.tier_earned(event.qualified_revenue, len(event.specializations_held))
    assert event.to_tier is earned
    if earned is not Tier.REGISTERED:
        assert event.evidence_event_ids


def test_the_tier_check_would_notice_a_change_citing_unrecorded_evidence():
    partner = Partner.enroll("antemeta", "Antemeta", Tier.REGISTERED, ENROLLED_ON)
    (enrolled,) = partner.collect_events()
    changed = Partner.TierChanged(
        originator_id=partner.id,
        originator_version=2,
        timestamp=enrolled.timestamp,
        from_tier=Tier.REGISTERED,
        to_tier=Tier.SILVER,
        reviewed_on=date(2011, 11, 1),
        rules_version=DEFAULT_RULES.version,
        qualified_revenue=Decimal(100_000),
        evidence_event_ids=[event_id(partner.id, 99)],
        specializations_held=[DP],
    )

    with pytest.raises(AssertionError):
        check_tier_history([enrolled, changed], {DEFAULT_RULES.version: DEFAULT_RULES})


@FAST
@given(
    steps=tier_steps,
    legacy=st.lists(tiers, min_size=len(MEMBERS), max_size=len(MEMBERS)),
    specialized=st.lists(st.booleans(), min_size=len(MEMBERS), max_size=len(MEMBERS)),
    grace_days=st.integers(0, 120),
    interval_days=st.integers(30, 120),
)
def test_a_tier_changes_only_through_a_tier_changed_event_with_evidence(
    steps, legacy, specialized, grace_days, interval_days
):
    rule_sets = (DEFAULT_RULES, later_rules(grace_days, interval_days))
    ledger = in_memory_ledger(*rule_sets)
    history = TierHistory(ledger)
    for code, tier, specialist in zip(MEMBERS, legacy, specialized, strict=True):
        enroll(ledger, code, tier)
        if specialist:
            history.certify(code, DP, date(2011, 6, 1), months=24)
    on = date(2011, 9, 1)
    for step in steps:
        on += timedelta(days=step[2])
        history.apply(step, on)
    ledger.sweep(on)

    rules_by_version = {rules.version: rules for rules in rule_sets}
    for code in MEMBERS:
        events = list(ledger.events.get(Partner.create_id(code)))
        final_tier = check_tier_history(events, rules_by_version)
        for change in (e for e in events if isinstance(e, Partner.TierChanged)):
            rising = TIER_ORDER.index(change.to_tier) > TIER_ORDER.index(change.from_tier)
            hypothesis.event("some partner upgraded" if rising else "some partner downgraded")
        assert ledger.get_partner(code).tier is final_tier
