"""The Partner aggregate: enrolment in the program and the certifications its people earn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import partner_events as events
from domain.errors import (
    BlankIndividualName,
    BlankPartnerName,
    BlankReference,
    CertificationBeforeEnrolment,
    SpecializationAlreadyHeld,
    SpecializationRequirementsNotMet,
    UnknownCertification,
)
from domain.exclusivity import RegistrantFacts
from domain.identity import event_id
from domain.partner_checks import check_not_blank, check_partner_code, check_validity_period
from domain.partner_holdings import (
    Certification,
    RevenueCredit,
    SpecializationHeld,
    certified_individuals,
    certified_people,
    credits_in_window,
)
from domain.program import CertificationKind, Specialization, Tier
from domain.rules import ProgramRules, Standing
from domain.tier_review import TierReview, review_tier
from domain.transition_plan import (
    Milestone,
    Shortfall,
    TransitionPlan,
    closure,
    milestones_met,
    new_plan,
    plan_needed,
    shortfall,
)

# Partner ids derive from the partner's code, so every process agrees on a partner's id
# without a lookup table, and a second enrolment of the same code collides in the store.
PARTNER_NAMESPACE = uuid5(NAMESPACE_URL, "urn:channel-ledger:partner")


class Partner(Aggregate):
    """A managed partner of the program."""

    # Adopted under their own names: eventsourcing redefines each as Partner.<Name> in this
    # module, the topic every stored partner event carries.
    Enrolled = events.Enrolled
    CertificationEarned = events.CertificationEarned
    CertificationExpired = events.CertificationExpired
    CertificationRevoked = events.CertificationRevoked
    SpecializationAwarded = events.SpecializationAwarded
    SpecializationWithdrawn = events.SpecializationWithdrawn
    QualifiedRevenueCredited = events.QualifiedRevenueCredited
    TierReviewed = events.TierReviewed
    TransitionPlanOpened = events.TransitionPlanOpened
    TransitionPlanMilestoneMet = events.TransitionPlanMilestoneMet
    TransitionPlanClosed = events.TransitionPlanClosed
    TierChanged = events.TierChanged

    @staticmethod
    def create_id(code: str) -> UUID:
        return uuid5(PARTNER_NAMESPACE, code)

    @classmethod
    def enroll(cls, code: str, name: str, legacy_tier: Tier, enrolled_on: date) -> Partner:
        """Enrol a partner, carrying over its tier from the previous program."""
        check_partner_code(code)
        check_not_blank(name, BlankPartnerName("partner name must not be blank"))
        return cls(code=code, name=name.strip(), legacy_tier=legacy_tier, enrolled_on=enrolled_on)

    @event(Enrolled)
    def __init__(self, code: str, name: str, legacy_tier: Tier, enrolled_on: date) -> None:
        self.code = code
        self.name = name
        self.legacy_tier = legacy_tier
        self.tier = legacy_tier
        self.enrolled_on = enrolled_on
        self.certifications: list[Certification] = []
        self.specializations: dict[Specialization, SpecializationHeld] = {}
        self.revenue_credits: list[RevenueCredit] = []
        self.last_reviewed_on: date | None = None
        self.downgrade_due_on: date | None = None
        self.transition_plan: TransitionPlan | None = None

    def earn_certification(
        self,
        individual: str,
        kind: CertificationKind,
        specialization: Specialization,
        effective_on: date,
        expires_on: date,
    ) -> None:
        """Record that a named individual at this partner earned a certification."""
        check_not_blank(individual, BlankIndividualName("individual must not be blank"))
        check_validity_period(effective_on, expires_on)
        self.check_not_before_enrolment(effective_on)
        self._certification_earned(
            individual.strip(), kind, specialization, effective_on, expires_on
        )

    @event(CertificationEarned)
    def _certification_earned(
        self,
        individual: str,
        kind: CertificationKind,
        specialization: Specialization,
        effective_on: date,
        expires_on: date,
    ) -> None:
        self.certifications.append(
            Certification(individual, kind, specialization, effective_on, expires_on)
        )

    def active_certifications(self, as_of: date) -> list[Certification]:
        """Certifications in force on the given business date."""
        return [c for c in self.certifications if c.active_on(as_of)]

    def revoke_certification(
        self,
        individual: str,
        kind: CertificationKind,
        specialization: Specialization,
        revoked_on: date,
        reason: str,
    ) -> None:
        """Withdraw an individual's certification before its expiry."""
        individual = individual.strip()
        if not any(
            c.matches(individual, kind, specialization) and c.active_on(revoked_on)
            for c in self.certifications
        ):
            raise UnknownCertification(
                f"{individual!r} holds no active {kind.value} certification in "
                f"{specialization.value} at {self.code!r} on {revoked_on}"
            )
        self._certification_revoked(individual, kind, specialization, revoked_on, reason)

    def expire_certifications(self, as_of: date) -> int:
        """Record the end of every certification whose expiry date has passed."""
        due = [c for c in self.certifications if c.ended_on is None and c.expires_on <= as_of]
        for c in due:
            self._certification_expired(c.individual, c.kind, c.specialization, c.expires_on)
        return len(due)

    def certified_individuals(
        self, specialization: Specialization, kind: CertificationKind, as_of: date
    ) -> int:
        return certified_individuals(self.active_certifications(as_of), specialization, kind)

    def meets_specialization_requirements(
        self, specialization: Specialization, as_of: date, rules: ProgramRules
    ) -> bool:
        terms = rules.specialization_terms(specialization)
        sales = self.certified_individuals(specialization, CertificationKind.SALES, as_of)
        technical = self.certified_individuals(specialization, CertificationKind.TECHNICAL, as_of)
        return sales >= terms.min_sales_certified and technical >= terms.min_technical_certified

    def award_specialization(
        self,
        specialization: Specialization,
        contract_reference: str,
        awarded_on: date,
        rules: ProgramRules,
    ) -> None:
        """Award a specialization under a signed agreement, if the partner's people qualify."""
        if specialization in self.specializations:
            raise SpecializationAlreadyHeld(
                f"{self.code!r} already holds the {specialization.value} specialization"
            )
        if not contract_reference.strip():
            raise BlankReference("a specialization needs the signed agreement's reference")
        if not self.meets_specialization_requirements(specialization, awarded_on, rules):
            terms = rules.specialization_terms(specialization)
            raise SpecializationRequirementsNotMet(
                f"{self.code!r} needs {terms.min_sales_certified} sales and "
                f"{terms.min_technical_certified} technical certified individuals in "
                f"{specialization.value} on {awarded_on} (rules {rules.version})"
            )
        self._specialization_awarded(
            specialization,
            contract_reference.strip(),
            awarded_on,
            rules.version,
            self.certified_individuals(specialization, CertificationKind.SALES, awarded_on),
            self.certified_individuals(specialization, CertificationKind.TECHNICAL, awarded_on),
        )

    def withdraw_lapsed_specializations(
        self, as_of: date, rules: ProgramRules
    ) -> list[Specialization]:
        """Withdraw each specialization whose certification requirements no longer hold."""
        lapsed = [
            s
            for s in self.specializations
            if not self.meets_specialization_requirements(s, as_of, rules)
        ]
        for specialization in lapsed:
            self._specialization_withdrawn(
                specialization, as_of, "certification-requirements-lapsed", rules.version
            )
        return lapsed

    def credit_qualified_revenue(
        self, opportunity_id: UUID, amount: Decimal, won_on: date, decision_id: UUID
    ) -> None:
        """Incremental revenue: a registered new deal won under the partner's protection."""
        self._qualified_revenue_credited(opportunity_id, amount, won_on, decision_id)

    def qualified_revenue(self, as_of: date, rules: ProgramRules) -> tuple[Decimal, list[UUID]]:
        """Qualified revenue in the trailing window, and the credit events behind it."""
        return credits_in_window(self.revenue_credits, rules.revenue_window_start(as_of), as_of)

    def certified_people(self, kind: CertificationKind, as_of: date) -> int:
        """Distinct individuals holding an active certification of this kind, in any area."""
        return certified_people(self.active_certifications(as_of), kind)

    def standing(self, as_of: date, rules: ProgramRules) -> tuple[Standing, list[UUID]]:
        """What a review measures on `as_of`, and the revenue credit events behind it."""
        revenue, credit_events = self.qualified_revenue(as_of, rules)
        standing = Standing(
            revenue,
            len(self.specializations),
            self.certified_people(CertificationKind.SALES, as_of),
            self.certified_people(CertificationKind.TECHNICAL, as_of),
        )
        return standing, credit_events

    def plan_floor(self, as_of: date) -> Tier | None:
        plan = self.transition_plan
        return plan.floor_tier if plan is not None and plan.runs_on(as_of) else None

    def review_tier(self, as_of: date, rules: ProgramRules) -> TierReview:
        """Evaluate the tier at a review; only a tier-changed event with evidence moves it."""
        standing, credit_events = self.standing(as_of, rules)
        if rules.in_transition(as_of):
            return review_tier(self.tier, None, standing, as_of, rules)
        self._follow_transition_plan(standing, as_of, rules)
        floor = self.plan_floor(as_of)
        review = review_tier(self.tier, self.downgrade_due_on, standing, as_of, rules, floor)
        if review.outcome.changes_tier:
            evidence = credit_events + [s.award_event_id for s in self.specializations.values()]
            self._tier_changed(
                self.tier,
                review.new_tier,
                as_of,
                rules.version,
                standing.qualified_revenue,
                evidence,
                sorted(self.specializations, key=lambda s: s.value),
            )
        else:
            self._tier_reviewed(
                as_of,
                rules.version,
                self.tier,
                review.earned,
                standing.qualified_revenue,
                review.downgrade_due_on,
                review.outcome.value,
                floor,
            )
        return review

    def _follow_transition_plan(self, standing: Standing, as_of: date, rules: ProgramRules) -> None:
        """Close, advance or open the partner's transition plan before the review decides."""
        plan = self.transition_plan
        if plan is not None and plan.closed_on is None:
            for milestone in milestones_met(plan, standing, rules):
                self._transition_plan_milestone_met(milestone.value, as_of, rules.version)
            reason = closure(plan, standing, as_of, rules)
            if reason is not None:
                self._transition_plan_closed(as_of, reason.value, self.tier, rules.version)
            return
        earned = rules.tier_earned_by(standing)
        if plan_needed(self.legacy_tier, plan is not None, earned, rules):
            opened = new_plan(self.legacy_tier, standing, as_of, rules)
            short = shortfall(rules.tier_terms(self.legacy_tier), standing)
            self._transition_plan_opened(
                opened.legacy_tier,
                opened.earned_tier,
                opened.floor_tier,
                as_of,
                opened.due_on,
                rules.version,
                short.qualified_revenue,
                short.specializations,
                short.sales_certified,
                short.technical_certified,
            )

    def registrant_facts(self, as_of: date) -> RegistrantFacts:
        """The specializations the partner held on `as_of`, and the awards behind them."""
        held = [s for s in self.specializations.values() if s.awarded_on <= as_of]
        return RegistrantFacts(
            specializations=frozenset(s.specialization for s in held),
            specialization_evidence=tuple(s.award_event_id for s in held),
        )

    @event(CertificationExpired)
    def _certification_expired(
        self,
        individual: str,
        kind: CertificationKind,
        specialization: Specialization,
        expired_on: date,
    ) -> None:
        self._end_certifications(
            lambda c: c.matches(individual, kind, specialization) and c.expires_on == expired_on,
            expired_on,
        )

    @event(CertificationRevoked)
    def _certification_revoked(
        self,
        individual: str,
        kind: CertificationKind,
        specialization: Specialization,
        revoked_on: date,
        reason: str,
    ) -> None:
        self._end_certifications(
            lambda c: c.matches(individual, kind, specialization) and c.active_on(revoked_on),
            revoked_on,
        )

    def _end_certifications(self, which: Callable[[Certification], bool], on: date) -> None:
        # Only the certification that lapsed or was revoked ends: a renewal recorded before
        # the old one expired stays in force.
        self.certifications = [
            replace(c, ended_on=on) if c.ended_on is None and which(c) else c
            for c in self.certifications
        ]

    @event(SpecializationAwarded)
    def _specialization_awarded(
        self,
        specialization: Specialization,
        contract_reference: str,
        awarded_on: date,
        rules_version: str,
        sales_certified: int,
        technical_certified: int,
    ) -> None:
        self.specializations[specialization] = SpecializationHeld(
            specialization, contract_reference, awarded_on, event_id(self.id, self.version + 1)
        )

    @event(SpecializationWithdrawn)
    def _specialization_withdrawn(
        self, specialization: Specialization, withdrawn_on: date, reason: str, rules_version: str
    ) -> None:
        del self.specializations[specialization]

    @event(QualifiedRevenueCredited)
    def _qualified_revenue_credited(
        self, opportunity_id: UUID, amount: Decimal, won_on: date, decision_id: UUID
    ) -> None:
        self.revenue_credits.append(
            RevenueCredit(opportunity_id, amount, won_on, event_id(self.id, self.version + 1))
        )

    @event(TierReviewed)
    def _tier_reviewed(
        self,
        reviewed_on: date,
        rules_version: str,
        tier: Tier,
        earned_tier: Tier,
        qualified_revenue: Decimal,
        downgrade_due_on: date | None,
        outcome: str,
        floor_tier: Tier | None,
    ) -> None:
        self.last_reviewed_on = reviewed_on
        self.downgrade_due_on = downgrade_due_on

    @event(TransitionPlanOpened)
    def _transition_plan_opened(
        self,
        legacy_tier: Tier,
        earned_tier: Tier,
        floor_tier: Tier,
        opened_on: date,
        due_on: date,
        rules_version: str,
        qualified_revenue_short: Decimal,
        specializations_short: int,
        sales_certified_short: int,
        technical_certified_short: int,
    ) -> None:
        lacks = Shortfall(
            qualified_revenue_short,
            specializations_short,
            sales_certified_short,
            technical_certified_short,
        )
        self.transition_plan = TransitionPlan(
            legacy_tier, earned_tier, floor_tier, opened_on, due_on, lacks.unmet()
        )

    @event(TransitionPlanMilestoneMet)
    def _transition_plan_milestone_met(
        self, milestone: str, met_on: date, rules_version: str
    ) -> None:
        assert self.transition_plan is not None  # milestones are only met on a running plan
        self.transition_plan = replace(
            self.transition_plan,
            open_milestones=self.transition_plan.open_milestones - {Milestone(milestone)},
        )

    @event(TransitionPlanClosed)
    def _transition_plan_closed(
        self, closed_on: date, reason: str, tier: Tier, rules_version: str
    ) -> None:
        assert self.transition_plan is not None  # only a running plan closes
        self.transition_plan = replace(self.transition_plan, closed_on=closed_on)

    @event(TierChanged)
    def _tier_changed(
        self,
        from_tier: Tier,
        to_tier: Tier,
        reviewed_on: date,
        rules_version: str,
        qualified_revenue: Decimal,
        evidence_event_ids: list[UUID],
        specializations_held: list[Specialization],
    ) -> None:
        self.tier = to_tier
        self.last_reviewed_on = reviewed_on
        self.downgrade_due_on = None

    def check_not_before_enrolment(self, effective_on: date) -> None:
        if effective_on < self.enrolled_on:
            raise CertificationBeforeEnrolment(
                f"certification effective {effective_on} is before partner {self.code!r} "
                f"enrolled on {self.enrolled_on}"
            )
