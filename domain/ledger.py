"""The ledger's service layer: load aggregates, call their command methods, save atomically.

Where events are stored is chosen by the environment the caller passes in (see
infra.store.event_store); nothing here knows whether that is SQLite, PostgreSQL or memory.
Commands that decide something (a registration, an award, a quote) are retried on a version
conflict: the losing writer reloads the history the winner wrote and decides again on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import get_topic

from domain.commands import (
    AwardSpecialization,
    ConsumeEngineerDays,
    EngageVendorSales,
    EnrollPartner,
    IssueQuote,
    PublishRules,
    RecordCertification,
    RecordLoss,
    RecordWin,
    RegisterDeal,
    ReleaseExclusivity,
    RevokeCertification,
)
from domain.customer_claim import CustomerClaim, CustomerConflict, conflict_among
from domain.customer_identity import CustomerIdentity
from domain.errors import (
    NoRulesInForce,
    PartnerAlreadyEnrolled,
    UnknownOpportunity,
    UnknownPartner,
)
from domain.exclusivity import ExclusivityDecision
from domain.identity import event_id
from domain.notice import Notice, NoticeDue
from domain.notices_due import partner_notices, protection_notice
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PROGRAM_ID, PartnerProgram
from domain.pricing import QuotePrice
from domain.program import Specialization
from domain.receipts import Receipt, ReceiptsNotKept
from domain.rules import ProgramRules
from domain.tier_review import review_due
from domain.transcodings import register_domain_transcodings

T = TypeVar("T")
# Each retry reloads the winner's history, so one conflict per competing writer is the worst
# case: this bounds how many simultaneous writers of one aggregate a command can outlast.
MAX_ATTEMPTS = 50


class ConcurrentUpdates(RuntimeError):
    """Other writers kept changing the same aggregate; the command was not recorded."""


@dataclass(frozen=True)
class RegistrationResult:
    opportunity_id: UUID
    decision_id: UUID
    decision: ExclusivityDecision


@dataclass(frozen=True)
class QuoteResult:
    quote_id: UUID
    price: QuotePrice

    @property
    def notice(self) -> str:
        """What the partner is told; never who holds the protection."""
        if self.price.protection.protected_for_another:
            return "this opportunity is protected by another partner's registration"
        return ""


@dataclass(frozen=True)
class EngineerDaysDrawn:
    """A draw of vendor engineer days, and what the protection has left of its grant."""

    opportunity: str
    partner_code: str
    decision_id: UUID
    days: int
    days_left: int
    days_granted: int


@dataclass
class SweepReport:
    certifications_expired: int = 0
    specializations_withdrawn: int = 0
    tier_reviews: int = 0
    tier_changes: int = 0
    protections_expired: int = 0
    notices_issued: int = 0

    def add_to(self, total: SweepReport) -> None:
        total.certifications_expired += self.certifications_expired
        total.specializations_withdrawn += self.specializations_withdrawn
        total.tier_reviews += self.tier_reviews
        total.tier_changes += self.tier_changes
        total.protections_expired += self.protections_expired
        total.notices_issued += self.notices_issued


class Ledger(Application[UUID]):
    """Channel Ledger's application: every command ends as events saved in one transaction."""

    name = "ChannelLedger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # --- program rules --------------------------------------------------------------------

    def publish_rules(self, command: PublishRules, receipt: Receipt[None] | None = None) -> None:
        """Publish a versioned rule set as an event."""

        def attempt() -> None:
            program = self._program_or_start(command.rules.effective_from)
            program.publish_rules(command.rules)
            self._save(receipt, None, program)

        retry_on_conflict(attempt)

    def program(self) -> PartnerProgram:
        try:
            program: PartnerProgram = self.repository.get(PROGRAM_ID)
        except AggregateNotFoundError:
            raise NoRulesInForce("no program rules have been published yet") from None
        return program

    def _program_or_start(self, started_on: date) -> PartnerProgram:
        try:
            return self.program()
        except NoRulesInForce:
            return PartnerProgram(name="partner-program", started_on=started_on)

    # --- partners -------------------------------------------------------------------------

    def enroll_partner(self, command: EnrollPartner, receipt: Receipt[UUID] | None = None) -> UUID:
        """Enrol a partner; a code can be enrolled only once."""
        partner = Partner.enroll(
            command.code, command.name, command.legacy_tier, command.enrolled_on
        )
        try:
            self._save(receipt, partner.id, partner)
        except IntegrityError as error:
            raise PartnerAlreadyEnrolled(f"partner {command.code!r} is already enrolled") from error
        return partner.id

    def record_certification(
        self, command: RecordCertification, receipt: Receipt[None] | None = None
    ) -> None:
        """Record a certification earned by an individual at an enrolled partner."""

        def attempt() -> None:
            partner = self.get_partner(command.partner_code)
            partner.earn_certification(
                command.individual,
                command.kind,
                command.specialization,
                command.effective_on,
                command.expires_on,
            )
            self._save(receipt, None, partner)

        retry_on_conflict(attempt)

    def revoke_certification(
        self, command: RevokeCertification, receipt: Receipt[None] | None = None
    ) -> None:
        def attempt() -> None:
            partner = self.get_partner(command.partner_code)
            partner.revoke_certification(
                command.individual,
                command.kind,
                command.specialization,
                command.revoked_on,
                command.reason,
            )
            self._save(receipt, None, partner)

        retry_on_conflict(attempt)

    def award_specialization(
        self, command: AwardSpecialization, receipt: Receipt[None] | None = None
    ) -> None:
        """Award a specialization by contract, within the cap on specialized partners."""

        def attempt() -> None:
            partner = self.get_partner(command.partner_code)
            program = self.program()
            rules = program.rules_in_force(command.awarded_on)
            partner.award_specialization(
                command.specialization, command.contract_reference, command.awarded_on, rules
            )
            program.admit_specialist(partner.id, command.awarded_on, rules)
            self._save(receipt, None, partner, program)

        retry_on_conflict(attempt)

    def get_partner(self, code: str) -> Partner:
        """The partner's current state, folded from its events."""
        try:
            partner: Partner = self.repository.get(Partner.create_id(code))
        except AggregateNotFoundError:
            raise UnknownPartner(f"no partner with code {code!r} is enrolled") from None
        return partner

    # --- opportunities --------------------------------------------------------------------

    def register_deal(
        self, command: RegisterDeal, receipt: Receipt[RegistrationResult] | None = None
    ) -> RegistrationResult:
        """Register an opportunity for a partner and decide its exclusivity.

        The opportunity's customer claims are saved in the same transaction: two references
        for one customer racing to open write the same claim, and the loser, deciding again,
        finds the customer held (a suspected conflict, see domain.customer_claim)."""
        identity = CustomerIdentity.of(command.end_customer, command.company_identifier)

        def attempt() -> RegistrationResult:
            partner = self.get_partner(command.partner_code)
            rules = self.program().rules_in_force(command.registered_on)
            opportunity = self._opportunity_or_open(
                command.opportunity,
                command.end_customer,
                command.specialization,
                command.registered_on,
                identity,
            )
            claims, conflict = self._claims(opportunity, command.registered_on)
            decision = opportunity.register(
                partner.id,
                partner.registrant_facts(command.registered_on),
                command.estimated_value,
                command.expected_close,
                command.presales_evidence,
                command.new_business,
                command.registered_on,
                rules,
                conflict,
            )
            # The decision's own event: benefits granted with a protection are recorded after it.
            result = RegistrationResult(
                opportunity.id, opportunity.decisions[-1].decision_id, decision
            )
            self._save(receipt, result, opportunity, *claims)
            return result

        return retry_on_conflict(attempt)

    def _claims(
        self, opportunity: Opportunity, on: date
    ) -> tuple[list[CustomerClaim], CustomerConflict | None]:
        """The opportunity's claims, taken where nobody holds them, and the other open
        opportunity holding any of the rest. A closed opportunity claims nothing: a late
        registration on it is denied, and must not take its customer back from a new one."""
        if opportunity.outcome is not None:
            return [], None
        claims = []
        for key in opportunity.claim_keys:
            claim = self.get_claim(key, opportunity.specialization)
            if claim is None:
                claim = CustomerClaim(
                    key, opportunity.specialization, opportunity.id, opportunity.reference, on
                )
            elif not claim.held_by_another(opportunity.id):
                claim.take(opportunity.id, opportunity.reference, on)
            claims.append(claim)
        return claims, conflict_among(claims, opportunity.id)

    def get_claim(self, key: str, specialization: Specialization) -> CustomerClaim | None:
        try:
            claim: CustomerClaim = self.repository.get(CustomerClaim.create_id(key, specialization))
        except AggregateNotFoundError:
            return None
        return claim

    def _release_claims(
        self, opportunity: Opportunity, on: date, reason: str
    ) -> list[CustomerClaim]:
        """A closed opportunity frees its customer for a later registration."""
        released = []
        for key in opportunity.claim_keys:
            claim = self.get_claim(key, opportunity.specialization)
            if claim is not None and claim.holder == opportunity.id:
                claim.release(opportunity.id, on, reason)
                released.append(claim)
        return released

    def engage_vendor_sales(
        self, command: EngageVendorSales, receipt: Receipt[None] | None = None
    ) -> None:
        """The vendor's sales work the opportunity; it claims its customer as a partner's would."""
        identity = CustomerIdentity.of(command.end_customer, None)

        def attempt() -> None:
            opportunity = self._opportunity_or_open(
                command.opportunity,
                command.end_customer,
                command.specialization,
                command.engaged_on,
                identity,
            )
            claims, _ = self._claims(opportunity, command.engaged_on)
            opportunity.engage_vendor_sales(command.engaged_on, command.note)
            self._save(receipt, None, opportunity, *claims)

        retry_on_conflict(attempt)

    def release_exclusivity(
        self, command: ReleaseExclusivity, receipt: Receipt[None] | None = None
    ) -> None:
        def attempt() -> None:
            partner = self.get_partner(command.partner_code)
            opportunity = self.get_opportunity(command.opportunity)
            opportunity.release(partner.id, command.released_on, command.reason)
            self._save(receipt, None, opportunity)

        retry_on_conflict(attempt)

    def issue_quote(
        self, command: IssueQuote, receipt: Receipt[QuoteResult] | None = None
    ) -> QuoteResult:
        """Price and record a quote from the rules in force on the issue date."""

        def attempt() -> QuoteResult:
            partner = self.get_partner(command.partner_code)
            rules = self.program().rules_in_force(command.issued_on)
            opportunity = self.get_opportunity(command.opportunity)
            price = opportunity.issue_quote(
                partner.id, partner.tier, command.list_price, command.issued_on, rules
            )
            result = QuoteResult(event_id(opportunity.id, opportunity.version), price)
            self._save(receipt, result, opportunity)
            return result

        return retry_on_conflict(attempt)

    def record_win(self, command: RecordWin, receipt: Receipt[bool] | None = None) -> bool:
        """Close an opportunity as won; a qualifying win credits the partner's qualified revenue."""

        def attempt() -> bool:
            partner = self.get_partner(command.partner_code)
            opportunity = self.get_opportunity(command.opportunity)
            # A backdated win is refused for its date before any rule is looked up for it.
            opportunity.check_not_before_history(command.won_on)
            rules = self.program().rules_in_force(command.won_on)
            qualified = opportunity.record_win(partner.id, command.amount, command.won_on, rules)
            if qualified:
                won = event_id(opportunity.id, opportunity.version)
                partner.credit_qualified_revenue(
                    opportunity.id, command.amount, command.won_on, won
                )
            claims = self._release_claims(opportunity, command.won_on, "opportunity-won")
            self._save(receipt, qualified, opportunity, partner, *claims)
            return qualified

        return retry_on_conflict(attempt)

    def consume_engineer_days(
        self, command: ConsumeEngineerDays, receipt: Receipt[EngineerDaysDrawn] | None = None
    ) -> EngineerDaysDrawn:
        """Draw vendor pre-sales engineer days against the partner's (or the holder's)
        protection."""

        def attempt() -> EngineerDaysDrawn:
            code = command.partner_code
            partner_id = self.get_partner(code).id if code is not None else None
            opportunity = self.get_opportunity(command.opportunity)
            left = opportunity.consume_engineer_days(
                partner_id, command.days, command.consumed_on, command.note
            )
            if code is None:
                holder: Partner = self.repository.get(left.partner_id)
                code = holder.code
            drawn = EngineerDaysDrawn(
                opportunity.reference,
                code,
                left.decision_id,
                command.days,
                left.engineer_days_left,
                left.engineer_days,
            )
            self._save(receipt, drawn, opportunity)
            return drawn

        return retry_on_conflict(attempt)

    def record_loss(self, command: RecordLoss, receipt: Receipt[None] | None = None) -> None:
        def attempt() -> None:
            opportunity = self.get_opportunity(command.opportunity)
            opportunity.record_loss(command.lost_on, command.reason, command.lost_to)
            claims = self._release_claims(opportunity, command.lost_on, "opportunity-lost")
            self._save(receipt, None, opportunity, *claims)

        retry_on_conflict(attempt)

    def get_opportunity(self, reference: str) -> Opportunity:
        try:
            opportunity: Opportunity = self.repository.get(Opportunity.create_id(reference))
        except AggregateNotFoundError:
            raise UnknownOpportunity(f"no opportunity {reference!r} is registered") from None
        return opportunity

    def _opportunity_or_open(
        self,
        reference: str,
        end_customer: str,
        specialization: Specialization,
        on: date,
        identity: CustomerIdentity,
    ) -> Opportunity:
        try:
            opportunity = self.get_opportunity(reference)
        except UnknownOpportunity:
            opened = Opportunity.open(reference, end_customer, specialization, on)
            opened.identify_customer(identity, on)
            return opened
        opportunity.check_same_opportunity(end_customer, specialization)
        return opportunity

    # --- time -----------------------------------------------------------------------------

    def sweep(self, as_of: date, receipt: Receipt[SweepReport] | None = None) -> SweepReport:
        """Apply what the passage of time decides up to `as_of`: expiries and due tier reviews,
        and the notices due by then (domain.notice).

        Safe to run again for the same date: what was already applied is not applied twice.
        Each aggregate is swept in its own transaction; a receipt is saved after the last, in a
        transaction of its own (the per-aggregate saves are idempotent by themselves).
        """
        report = SweepReport()
        rules = self.program().rules_in_force(as_of)
        for partner_id in self.aggregate_ids(Partner.Enrolled):
            retry_on_conflict(partial(self._sweep_partner, partner_id, as_of, rules)).add_to(report)
        closed = set(self.aggregate_ids(Opportunity.Won)) | set(
            self.aggregate_ids(Opportunity.Lost)
        )
        for opportunity_id in self.aggregate_ids(Opportunity.Opened):
            if opportunity_id not in closed:
                retry_on_conflict(partial(self._sweep_opportunity, opportunity_id, as_of)).add_to(
                    report
                )
        if receipt is not None:
            self._save(receipt, report)
        return report

    def _sweep_partner(self, partner_id: UUID, as_of: date, rules: ProgramRules) -> SweepReport:
        partner: Partner = self.repository.get(partner_id)
        found = SweepReport(certifications_expired=partner.expire_certifications(as_of))
        lapsed = partner.withdraw_lapsed_specializations(as_of, rules)
        found.specializations_withdrawn = len(lapsed)
        downgrade_due = partner.downgrade_due_on is not None and as_of >= partner.downgrade_due_on
        if review_due(partner.last_reviewed_on, as_of, rules) or downgrade_due:
            review = partner.review_tier(as_of, rules)
            found.tier_reviews = 1
            found.tier_changes = int(review.outcome.changes_tier)
        notices = self._not_yet_issued(partner_notices(partner, as_of), as_of)
        found.notices_issued = len(notices)
        if lapsed and not partner.specializations:
            # Only now is the program touched: the roster frees a place under the cap.
            program = self.program()
            program.remove_specialist(partner.id, as_of)
            self.save(partner, program, *notices)
        else:
            self.save(partner, *notices)
        return found

    def _sweep_opportunity(self, opportunity_id: UUID, as_of: date) -> SweepReport:
        opportunity: Opportunity = self.repository.get(opportunity_id)
        if opportunity.outcome is not None:
            return SweepReport()
        found = SweepReport(protections_expired=int(opportunity.expire_protection(as_of)))
        notices: list[Notice] = []
        if opportunity.protection is not None:
            holder: Partner = self.repository.get(opportunity.protection.partner_id)
            due = protection_notice(opportunity, holder.code, as_of)
            notices = self._not_yet_issued([due] if due else [], as_of)
        found.notices_issued = len(notices)
        if found.protections_expired or notices:
            self.save(opportunity, *notices)
        return found

    def _not_yet_issued(self, due: list[NoticeDue], as_of: date) -> list[Notice]:
        """Notices for what is due and was not issued before (a notice's id names what it is
        about, so one issued by an earlier or a racing sweep is found, or conflicts on save)."""
        return [Notice.issue(d, as_of) for d in due if d.notice_id not in self.repository]

    def _save(self, receipt: Receipt[T] | None, result: T, *aggregates: object) -> None:
        """Save the aggregates' new events, with the caller's receipt of `result` if it gave
        one: both are recorded in one transaction, or neither is."""
        if receipt is None:
            self.save(*aggregates)  # type: ignore[arg-type]
            return
        if not getattr(self.recorder, "keeps_receipts", False):
            raise ReceiptsNotKept(f"{type(self.recorder).__name__} cannot record receipts")
        self.save(*aggregates, receipt=receipt(result))  # type: ignore[arg-type]

    def aggregate_ids(self, created_event: type) -> Iterator[UUID]:
        """Ids of the aggregates that recorded an event of this type (e.g. Partner.Enrolled).

        Reads the store's notification log filtered by event topic: no aggregate is loaded.
        An aggregate that recorded the event more than once appears more than once.
        """
        topic = get_topic(created_event)
        start = 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=500, topics=[topic])
            if not page:
                return
            for notification in page:
                yield UUID(str(notification.originator_id))
            start = page[-1].id + 1


def retry_on_conflict(attempt: Callable[[], T]) -> T:
    """Run a load-decide-save attempt again when another writer saved the same aggregate first."""
    for _ in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except IntegrityError:
            continue
    raise ConcurrentUpdates(f"gave up after {MAX_ATTEMPTS} conflicting attempts")
