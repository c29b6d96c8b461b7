"""The Opportunity aggregate: deal registrations, the exclusivity decisions taken on them, quotes,
and the outcome. All decisions about one opportunity are serialized through its version, so two
registrants racing for it cannot both be granted protection.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import opportunity_events as events
from domain.customer_claim import CustomerConflict
from domain.customer_identity import CustomerIdentity
from domain.errors import (
    AlreadyHoldsExclusivity,
    BlankReference,
    BusinessDateBeforeHistory,
    NegativeAmount,
    NotProtectionHolder,
    OpportunityClosed,
    OpportunityDetailsConflict,
)
from domain.exclusivity import (
    ExclusivityDecision,
    ExclusivityReason,
    OpportunityFacts,
    RegistrantFacts,
    RegistrationFacts,
    decide_exclusivity,
    held_for_review,
)
from domain.identity import event_id, name_based_id
from domain.opportunity_state import (
    ActiveProtection,
    DecisionRecord,
    Outcome,
    PreferredRegistration,
)
from domain.pricing import Protection, QuotePrice, price_quote
from domain.program import Specialization, Tier
from domain.protection_benefits import ProtectionBenefits, benefits_granted, check_consumption
from domain.qualified_revenue import qualifying_decision
from domain.rules import ProgramRules


class Opportunity(Aggregate):
    """A customer opportunity that partners register to claim their pre-sales work."""

    # Adopted under their own names: eventsourcing redefines each as Opportunity.<Name> in
    # this module, the topic every stored opportunity event carries.
    Opened = events.Opened
    CustomerIdentified = events.CustomerIdentified
    ConflictSuspected = events.ConflictSuspected
    VendorSalesEngaged = events.VendorSalesEngaged
    Registered = events.Registered
    ExclusivityGranted = events.ExclusivityGranted
    ExclusivityDenied = events.ExclusivityDenied
    RegisteredNonExclusive = events.RegisteredNonExclusive
    BenefitsGranted = events.BenefitsGranted
    EngineerDaysConsumed = events.EngineerDaysConsumed
    BenefitsEnded = events.BenefitsEnded
    ExclusivityExpired = events.ExclusivityExpired
    ExclusivityReleased = events.ExclusivityReleased
    QuoteIssued = events.QuoteIssued
    Won = events.Won
    Lost = events.Lost

    @staticmethod
    def create_id(reference: str) -> UUID:
        return name_based_id("opportunity", reference)

    @classmethod
    def open(
        cls, reference: str, end_customer: str, specialization: Specialization, opened_on: date
    ) -> Opportunity:
        """Open an opportunity under the reference partners will register it by."""
        if not reference.strip():
            raise BlankReference("opportunity reference must not be blank")
        if not end_customer.strip():
            raise BlankReference("end customer must not be blank")
        return cls(
            reference=reference.strip(),
            end_customer=end_customer.strip(),
            specialization=specialization,
            opened_on=opened_on,
        )

    @event(Opened)
    def __init__(
        self, reference: str, end_customer: str, specialization: Specialization, opened_on: date
    ) -> None:
        self.reference = reference
        self.end_customer = end_customer
        self.specialization = specialization
        self.opened_on = opened_on
        self.last_activity_on = opened_on
        self.vendor_sales_engaged = False
        self.protection: ActiveProtection | None = None
        self.partners_with_expired_protection: set[UUID] = set()
        self.decisions: list[DecisionRecord] = []
        self.outcome: Outcome | None = None
        self.preferred: dict[UUID, PreferredRegistration] = {}
        # Each partner's latest decision on a registration of incremental business.
        self.incremental_registrations: dict[UUID, UUID] = {}
        self.benefits: ProtectionBenefits | None = None
        # Opportunities opened before customer identities have no claim keys.
        self.claim_keys: tuple[str, ...] = ()
        self.company_identifier: str | None = None
        # Registrations waiting for a channel manager: partner -> the decision under review.
        self.pending_reviews: dict[UUID, UUID] = {}

    # --- commands -------------------------------------------------------------------------

    def check_same_opportunity(self, end_customer: str, specialization: Specialization) -> None:
        if end_customer.strip() != self.end_customer or specialization is not self.specialization:
            raise OpportunityDetailsConflict(
                f"opportunity {self.reference!r} is registered for {self.end_customer!r} in "
                f"{self.specialization.value}, not {end_customer!r} in {specialization.value}"
            )

    def identify_customer(self, identity: CustomerIdentity, on: date) -> None:
        """Record who the customer is, once, when the opportunity is opened."""
        company = identity.company.value if identity.company is not None else None
        self._customer_identified(identity.normalized_name, company, list(identity.claim_keys), on)

    def engage_vendor_sales(self, engaged_on: date, note: str) -> None:
        """The vendor's own sales already work this opportunity: no partner can be protected."""
        self.check_open()
        self.check_not_before_history(engaged_on)
        self._vendor_sales_engaged(engaged_on, note)

    def register(
        self,
        partner_id: UUID,
        registrant: RegistrantFacts,
        estimated_value: Decimal,
        expected_close: date,
        presales_evidence: str,
        new_business: bool,
        registered_on: date,
        rules: ProgramRules,
        conflict: CustomerConflict | None = None,
    ) -> ExclusivityDecision:
        """Record a registration and the exclusivity decision taken on it; a grant or a
        preference on a customer another open opportunity holds waits for review instead."""
        check_not_negative("estimated_value", estimated_value)
        self.check_not_before_history(registered_on)
        self.expire_protection(registered_on)
        if self.protection is not None and self.protection.partner_id == partner_id:
            # Not a competing registration to deny: the holder is told what it already has.
            raise AlreadyHoldsExclusivity(
                f"the registering partner already holds exclusivity on {self.reference!r} "
                f"until {self.protection.valid_until.isoformat()}"
            )
        self._registered(
            partner_id,
            estimated_value,
            expected_close,
            presales_evidence,
            new_business,
            registered_on,
        )
        registration_event = event_id(self.id, self.version)
        decision = decide_exclusivity(
            self.facts(),
            RegistrationFacts(partner_id, new_business, presales_evidence, registered_on),
            registrant,
            rules,
        )
        evidence = [registration_event, *decision.evidence_event_ids]
        if conflict is not None and (decision.granted or decision.preferred):
            self._conflict_suspected(
                partner_id,
                decision.reason.value,
                rules.version,
                evidence,
                registered_on,
                conflict.opportunity_id,
                conflict.reference,
                list(conflict.matched_keys),
            )
            return held_for_review(decision)
        if decision.granted:
            assert decision.valid_until is not None  # granted decisions always carry a validity
            self._exclusivity_granted(
                partner_id,
                decision.reason.value,
                rules.version,
                evidence,
                registered_on,
                decision.valid_until,
            )
            self._grant_benefits(registered_on, rules)
        elif decision.preferred:
            assert decision.valid_until is not None
            self._registered_non_exclusive(
                partner_id,
                decision.reason.value,
                rules.version,
                evidence,
                registered_on,
                decision.valid_until,
            )
        else:
            self._exclusivity_denied(
                partner_id, decision.reason.value, rules.version, evidence, registered_on
            )
        return decision

    def _grant_benefits(self, on: date, rules: ProgramRules) -> None:
        """The protection just granted comes with the vendor's resources the rules give."""
        if self.protection is None or not benefits_granted(rules):
            return
        self._benefits_granted(
            self.protection.decision_id,
            self.protection.partner_id,
            rules.presales_engineer_days,
            rules.extended_support,
            on,
            rules.version,
        )

    def consume_engineer_days(
        self, partner_id: UUID | None, days: int, consumed_on: date, note: str
    ) -> ProtectionBenefits:
        """Draw engineer days against the partner's protection (None: the holder's); returns
        the benefits left."""
        self.check_open()
        self.check_not_before_history(consumed_on)
        self.expire_protection(consumed_on)
        grant = check_consumption(self.benefits, partner_id, days)
        self._engineer_days_consumed(grant.decision_id, grant.partner_id, days, consumed_on, note)
        assert self.benefits is not None  # a draw leaves the grant in force
        return self.benefits

    def _end_benefits(self, on: date, reason: str) -> None:
        benefits = self.benefits
        if benefits is not None:
            self._benefits_ended(
                benefits.decision_id,
                benefits.partner_id,
                on,
                benefits.engineer_days_left,
                reason,
            )

    def expire_protection(self, as_of: date) -> bool:
        """End a protection whose validity has run out; returns whether one expired."""
        protection = self.protection
        if protection is None or as_of < protection.valid_until:
            return False
        self._end_benefits(protection.valid_until, "protection-expired")
        self._exclusivity_expired(
            protection.decision_id, protection.partner_id, protection.valid_until
        )
        return True

    def release(self, partner_id: UUID, released_on: date, reason: str) -> None:
        """The protected partner gives up its exclusivity."""
        self.check_not_before_history(released_on)
        self.expire_protection(released_on)
        protection = self.protection
        if protection is None or protection.partner_id != partner_id:
            raise NotProtectionHolder("this partner holds no protection on the opportunity")
        self._end_benefits(released_on, "protection-released")
        self._exclusivity_released(protection.decision_id, partner_id, released_on, reason)

    def issue_quote(
        self,
        partner_id: UUID,
        tier: Tier,
        list_price: Decimal,
        issued_on: date,
        rules: ProgramRules,
    ) -> QuotePrice:
        """Price a quote for a partner; a competitor learns the deal is protected, not by whom."""
        self.check_open()
        check_not_negative("list_price", list_price)
        self.check_not_before_history(issued_on)
        self.expire_protection(issued_on)
        protection = self.protection_for(partner_id, issued_on)
        price = price_quote(list_price, tier, self.specialization, protection, rules)
        decision_id = self.quote_decision_id(partner_id, protection)
        self._quote_issued(
            partner_id,
            price.list_price,
            price.tier,
            price.tier_discount,
            price.registration_uplift,
            price.net_price,
            protection.value,
            decision_id,
            rules.version,
            issued_on,
        )
        return price

    def record_win(
        self, partner_id: UUID, amount: Decimal, won_on: date, rules: ProgramRules
    ) -> bool:
        """Close as won; returns whether the revenue qualifies (see domain.qualified_revenue)."""
        self.check_open()
        check_not_negative("amount", amount)
        self.check_not_before_history(won_on)
        self.expire_protection(won_on)
        protection = self.protection
        holder = (protection.partner_id, protection.decision_id) if protection else None
        decision_id = qualifying_decision(partner_id, holder, self.incremental_registrations, rules)
        self._end_benefits(won_on, "opportunity-won")
        self._won(partner_id, amount, won_on, decision_id is not None, decision_id)
        return decision_id is not None

    def record_loss(self, lost_on: date, reason: str, lost_to: str | None = None) -> None:
        self.check_open()
        self.check_not_before_history(lost_on)
        self._end_benefits(lost_on, "opportunity-lost")
        self._lost(lost_on, reason, lost_to)

    # --- queries --------------------------------------------------------------------------

    def facts(self) -> OpportunityFacts:
        return OpportunityFacts(
            specialization=self.specialization,
            closed=self.outcome is not None,
            vendor_sales_engaged=self.vendor_sales_engaged,
            protected_by=self.protection.partner_id if self.protection else None,
            protection_decision_id=self.protection.decision_id if self.protection else None,
            partners_with_expired_protection=frozenset(self.partners_with_expired_protection),
        )

    def protection_for(self, partner_id: UUID, as_of: date) -> Protection:
        """The kind of quote the partner gets on `as_of` (protection already expired by then)."""
        preferred = partner_id in self.preferred and as_of < self.preferred[partner_id].valid_until
        if self.protection is None or as_of >= self.protection.valid_until:
            return Protection.PREFERRED if preferred else Protection.UNPROTECTED
        if self.protection.partner_id == partner_id:
            return Protection.HOLDER
        if preferred:
            return Protection.PREFERRED_PROTECTED_FOR_ANOTHER
        return Protection.PROTECTED_FOR_ANOTHER

    def quote_decision_id(self, partner_id: UUID, protection: Protection) -> UUID | None:
        """The decision a quote's conditions rely on: the protection, or the preference."""
        if protection is Protection.HOLDER and self.protection is not None:
            return self.protection.decision_id
        if protection in (Protection.PREFERRED, Protection.PREFERRED_PROTECTED_FOR_ANOTHER):
            return self.preferred[partner_id].decision_id
        return None

    def check_not_before_history(self, on: date) -> None:
        """Business time only moves forward on an opportunity: no backdated decisions."""
        if on < self.last_activity_on:
            raise BusinessDateBeforeHistory(
                f"{on} is before the last activity on opportunity {self.reference!r} "
                f"({self.last_activity_on})"
            )

    def _touch(self, on: date) -> None:
        self.last_activity_on = max(self.last_activity_on, on)

    def check_open(self) -> None:
        if self.outcome is not None:
            raise OpportunityClosed(f"opportunity {self.reference!r} is already closed")

    # --- events ---------------------------------------------------------------------------

    @event(CustomerIdentified)
    def _customer_identified(
        self,
        normalized_name: str,
        company_identifier: str | None,
        claim_keys: list[str],
        identified_on: date,
    ) -> None:
        self.claim_keys = tuple(claim_keys)
        self.company_identifier = company_identifier

    @event(ConflictSuspected)
    def _conflict_suspected(
        self,
        partner_id: UUID,
        rule_reason_code: str,
        rules_version: str,
        evidence_event_ids: list[UUID],
        decided_on: date,
        conflicting_opportunity_id: UUID,
        conflicting_reference: str,
        matched_keys: list[str],
    ) -> None:
        self._touch(decided_on)
        decision_id = event_id(self.id, self.version + 1)
        self.decisions.append(
            DecisionRecord(
                decision_id,
                partner_id,
                False,
                ExclusivityReason.CONFLICT_SUSPECTED.value,
                decided_on,
                None,
            )
        )
        self.pending_reviews[partner_id] = decision_id

    @event(VendorSalesEngaged)
    def _vendor_sales_engaged(self, engaged_on: date, note: str) -> None:
        self._touch(engaged_on)
        self.vendor_sales_engaged = True

    @event(Registered)
    def _registered(
        self,
        partner_id: UUID,
        estimated_value: Decimal,
        expected_close: date,
        presales_evidence: str,
        new_business: bool,
        registered_on: date,
    ) -> None:
        self._touch(registered_on)  # the decision that follows carries the consequences

    @event(ExclusivityGranted)
    def _exclusivity_granted(
        self,
        partner_id: UUID,
        reason_code: str,
        rules_version: str,
        evidence_event_ids: list[UUID],
        decided_on: date,
        valid_until: date,
    ) -> None:
        self._touch(decided_on)
        # Event bodies run before the version moves on: this event's version is the next one.
        decision_id = event_id(self.id, self.version + 1)
        self.protection = ActiveProtection(decision_id, partner_id, valid_until)
        self.pending_reviews.pop(partner_id, None)
        self.decisions.append(
            DecisionRecord(decision_id, partner_id, True, reason_code, decided_on, valid_until)
        )
        self.incremental_registrations[partner_id] = decision_id

    @event(RegisteredNonExclusive)
    def _registered_non_exclusive(
        self,
        partner_id: UUID,
        reason_code: str,
        rules_version: str,
        evidence_event_ids: list[UUID],
        decided_on: date,
        valid_until: date,
    ) -> None:
        self._touch(decided_on)
        decision_id = event_id(self.id, self.version + 1)
        self.preferred[partner_id] = PreferredRegistration(decision_id, valid_until)
        self.pending_reviews.pop(partner_id, None)
        self.decisions.append(
            DecisionRecord(decision_id, partner_id, False, reason_code, decided_on, valid_until)
        )
        self.incremental_registrations[partner_id] = decision_id

    @event(BenefitsGranted)
    def _benefits_granted(
        self,
        decision_id: UUID,
        partner_id: UUID,
        presales_engineer_days: int,
        extended_support: bool,
        granted_on: date,
        rules_version: str,
    ) -> None:
        self.benefits = ProtectionBenefits(
            decision_id, partner_id, presales_engineer_days, 0, extended_support
        )

    @event(EngineerDaysConsumed)
    def _engineer_days_consumed(
        self, decision_id: UUID, partner_id: UUID, days: int, consumed_on: date, note: str
    ) -> None:
        self._touch(consumed_on)
        assert self.benefits is not None  # consumption is checked against a grant
        self.benefits = replace(
            self.benefits, engineer_days_used=self.benefits.engineer_days_used + days
        )

    @event(BenefitsEnded)
    def _benefits_ended(
        self,
        decision_id: UUID,
        partner_id: UUID,
        ended_on: date,
        unused_engineer_days: int,
        reason: str,
    ) -> None:
        self.benefits = None

    @event(ExclusivityDenied)
    def _exclusivity_denied(
        self,
        partner_id: UUID,
        reason_code: str,
        rules_version: str,
        evidence_event_ids: list[UUID],
        decided_on: date,
    ) -> None:
        self._touch(decided_on)
        decision_id = event_id(self.id, self.version + 1)
        self.decisions.append(
            DecisionRecord(decision_id, partner_id, False, reason_code, decided_on, None)
        )
        self.pending_reviews.pop(partner_id, None)
        if ExclusivityReason(reason_code).incremental_business:
            # Denied only because another partner holds it: still the registrant's project.
            self.incremental_registrations[partner_id] = decision_id

    @event(ExclusivityExpired)
    def _exclusivity_expired(self, decision_id: UUID, partner_id: UUID, expired_on: date) -> None:
        self._touch(expired_on)
        self.protection = None
        self.partners_with_expired_protection.add(partner_id)

    @event(ExclusivityReleased)
    def _exclusivity_released(
        self, decision_id: UUID, partner_id: UUID, released_on: date, reason: str
    ) -> None:
        self._touch(released_on)
        self.protection = None

    @event(QuoteIssued)
    def _quote_issued(
        self,
        partner_id: UUID,
        list_price: Decimal,
        tier: Tier,
        tier_discount: Decimal,
        registration_uplift: Decimal,
        net_price: Decimal,
        protection: str,
        decision_id: UUID | None,
        rules_version: str,
        issued_on: date,
    ) -> None:
        self._touch(issued_on)  # quotes change nothing else; they are recorded for audit

    @event(Won)
    def _won(
        self,
        partner_id: UUID,
        amount: Decimal,
        won_on: date,
        qualified: bool,
        decision_id: UUID | None,
    ) -> None:
        self._touch(won_on)
        self.outcome = Outcome(partner_id, amount, won_on, qualified)
        self.protection = None

    @event(Lost)
    def _lost(self, lost_on: date, reason: str, lost_to: str | None) -> None:
        self._touch(lost_on)
        self.outcome = Outcome(None, Decimal(0), lost_on, False)
        self.protection = None


def check_not_negative(field_name: str, amount: Decimal) -> None:
    if amount < 0:
        raise NegativeAmount(f"{field_name} {amount} must not be negative")
