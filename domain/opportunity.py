"""The Opportunity aggregate: deal registrations, the exclusivity decisions taken on them, quotes,
and the outcome. All decisions about one opportunity are serialized through its version, so two
registrants racing for it cannot both be granted protection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

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
    OpportunityFacts,
    RegistrantFacts,
    RegistrationFacts,
    decide_exclusivity,
)
from domain.identity import event_id, name_based_id
from domain.pricing import Protection, QuotePrice, price_quote
from domain.program import Specialization, Tier
from domain.rules import ProgramRules


@dataclass
class ActiveProtection:
    decision_id: UUID
    partner_id: UUID
    valid_until: date


@dataclass
class Outcome:
    won_by: UUID | None
    amount: Decimal
    closed_on: date
    qualified: bool


@dataclass
class DecisionRecord:
    decision_id: UUID
    partner_id: UUID
    granted: bool
    reason_code: str
    decided_on: date
    valid_until: date | None


class Opportunity(Aggregate):
    """A customer opportunity that partners register to claim their pre-sales work."""

    class Opened(Aggregate.Created):
        reference: str
        end_customer: str
        specialization: Specialization
        opened_on: date

    class VendorSalesEngaged(Aggregate.Event):
        engaged_on: date
        note: str

    class Registered(Aggregate.Event):
        partner_id: UUID
        estimated_value: Decimal
        expected_close: date
        presales_evidence: str
        new_business: bool
        registered_on: date

    class ExclusivityGranted(Aggregate.Event):
        partner_id: UUID
        reason_code: str
        rules_version: str
        evidence_event_ids: list[UUID]
        decided_on: date
        valid_until: date

    class ExclusivityDenied(Aggregate.Event):
        partner_id: UUID
        reason_code: str
        rules_version: str
        evidence_event_ids: list[UUID]
        decided_on: date

    class ExclusivityExpired(Aggregate.Event):
        decision_id: UUID
        partner_id: UUID
        expired_on: date

    class ExclusivityReleased(Aggregate.Event):
        decision_id: UUID
        partner_id: UUID
        released_on: date
        reason: str

    class QuoteIssued(Aggregate.Event):
        partner_id: UUID
        list_price: Decimal
        tier: Tier
        tier_discount: Decimal
        registration_uplift: Decimal
        net_price: Decimal
        protection: str
        decision_id: UUID | None
        rules_version: str
        issued_on: date

    class Won(Aggregate.Event):
        partner_id: UUID
        amount: Decimal
        won_on: date
        qualified: bool
        decision_id: UUID | None

    class Lost(Aggregate.Event):
        """Version 2 names who won the deal instead (`lost_to`), when the vendor knows."""

        class_version = 2
        lost_on: date
        reason: str
        lost_to: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            # Losses recorded before version 2 did not say to whom: unknown, not guessed.
            state["lost_to"] = None

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

    # --- commands -------------------------------------------------------------------------

    def check_same_opportunity(self, end_customer: str, specialization: Specialization) -> None:
        if end_customer.strip() != self.end_customer or specialization is not self.specialization:
            raise OpportunityDetailsConflict(
                f"opportunity {self.reference!r} is registered for {self.end_customer!r} in "
                f"{self.specialization.value}, not {end_customer!r} in {specialization.value}"
            )

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
    ) -> ExclusivityDecision:
        """Record a registration and the exclusivity decision taken on it."""
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
        else:
            self._exclusivity_denied(
                partner_id, decision.reason.value, rules.version, evidence, registered_on
            )
        return decision

    def expire_protection(self, as_of: date) -> bool:
        """End a protection whose validity has run out; returns whether one expired."""
        protection = self.protection
        if protection is None or as_of < protection.valid_until:
            return False
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
        protection = self.protection_for(partner_id)
        price = price_quote(list_price, tier, self.specialization, protection, rules)
        decision_id = None
        if protection is Protection.HOLDER and self.protection is not None:
            decision_id = self.protection.decision_id
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

    def record_win(self, partner_id: UUID, amount: Decimal, won_on: date) -> bool:
        """Close as won; returns whether the revenue qualifies (won by the protected partner)."""
        self.check_open()
        check_not_negative("amount", amount)
        self.check_not_before_history(won_on)
        self.expire_protection(won_on)
        protection = self.protection
        qualified = protection is not None and protection.partner_id == partner_id
        decision_id = protection.decision_id if protection is not None and qualified else None
        self._won(partner_id, amount, won_on, qualified, decision_id)
        return qualified

    def record_loss(self, lost_on: date, reason: str, lost_to: str | None = None) -> None:
        self.check_open()
        self.check_not_before_history(lost_on)
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

    def protection_for(self, partner_id: UUID) -> Protection:
        if self.protection is None:
            return Protection.UNPROTECTED
        if self.protection.partner_id == partner_id:
            return Protection.HOLDER
        return Protection.PROTECTED_FOR_ANOTHER

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
        self.decisions.append(
            DecisionRecord(decision_id, partner_id, True, reason_code, decided_on, valid_until)
        )

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
        self.decisions.append(
            DecisionRecord(
                event_id(self.id, self.version + 1),
                partner_id,
                False,
                reason_code,
                decided_on,
                None,
            )
        )

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
