"""Replaying a recorded history's commands into another ledger, under other rules: what-if.

Every command the ledger recorded left an event that carries its input (an enrolment, a
certification, a registration, a quote, a win...); the decisions and time effects that followed
(exclusivity, revenue credits, reviews, expiries) are left for the other ledger to decide again.
Time is replayed as sweeps on every date the history shows one ran (a review, a withdrawal)
and once a week from the first recorded day, each before that day's commands, as the ledger's
operators run it. A command the other rules refuse is counted under its rule, not recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain import opportunity_events as events
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
from domain.errors import DomainError
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PartnerProgram
from domain.rules import ProgramRules

SWEEP_EVERY_DAYS = 7


@dataclass
class ReplayReport:
    commands: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # rule name -> commands refused


@dataclass(frozen=True)
class _Step:
    on: date
    send: Callable[[], Any]


def replay_history(
    events: Iterable[Any], target: Ledger, proposed: ProgramRules, proposed_from: date
) -> ReplayReport:
    """Send `events`' commands to `target`, with `proposed` in force from `proposed_from`
    instead of the rule sets recorded as effective from then on."""
    steps, sweep_days = _Translation(target, proposed, proposed_from).steps(list(events))
    report = ReplayReport()
    pending = sorted(sweep_days)
    for step in steps:
        while pending and pending[0] <= step.on:
            target.sweep(pending.pop(0))
        _send(step, report)
    for day in pending:
        target.sweep(day)
    return report


def _send(step: _Step, report: ReplayReport) -> None:
    report.commands += 1
    try:
        step.send()
    except DomainError as refused:
        report.refused[refused.rule] += 1


class _Translation:
    """Events to the commands that recorded them, in the history's order."""

    def __init__(self, target: Ledger, proposed: ProgramRules, proposed_from: date) -> None:
        self.target = target
        self.proposed = replace(proposed, effective_from=proposed_from)
        self.codes: dict[UUID, str] = {}
        self.opportunities: dict[UUID, events.Opened] = {}
        # The company identifier each opportunity was opened with, so it is opened with it again.
        self.company_identifiers: dict[UUID, str | None] = {}
        self.proposal_sent = False

    def steps(self, events: list[Any]) -> tuple[list[_Step], set[date]]:
        steps = [step for event in events for step in self._steps_for(event)]
        sweep_days = {d for event in events if (d := _sweep_evidence(event)) is not None}
        enrolments = [e.enrolled_on for e in events if isinstance(e, Partner.Enrolled)]
        if enrolments:
            # Business starts with the first enrolment; rules take effect before it.
            first = min(enrolments)
            last = max([s.on for s in steps] + list(sweep_days))
            sweep_days |= {
                first + timedelta(days=n)
                for n in range(0, (last - first).days + 1, SWEEP_EVERY_DAYS)
            }
        return steps, sweep_days

    def _steps_for(self, event: Any) -> list[_Step]:
        if isinstance(event, PartnerProgram.RulesPublished):
            return self._rules(event)
        if isinstance(event, Partner.Enrolled):
            self.codes[event.originator_id] = event.code
            command = EnrollPartner(event.code, event.name, event.legacy_tier, event.enrolled_on)
            return [_Step(event.enrolled_on, lambda: self.target.enroll_partner(command))]
        if isinstance(event, Opportunity.Opened):
            self.opportunities[event.originator_id] = event
            return []
        if isinstance(event, Opportunity.CustomerIdentified):
            self.company_identifiers[event.originator_id] = event.company_identifier
            return []
        translate = _PARTNER.get(type(event)) or _OPPORTUNITY.get(type(event))
        if translate is None:
            return []  # a decision or a time effect: the target decides it again
        on, send = translate(self, event)
        return [_Step(on, send)]

    def _rules(self, event: PartnerProgram.RulesPublished) -> list[_Step]:
        steps = []
        recorded = ProgramRules.from_document(event.document)
        if recorded.effective_from < self.proposed.effective_from and (
            recorded.version != self.proposed.version
        ):
            command = PublishRules(recorded)
            steps.append(_Step(event.effective_from, lambda: self.target.publish_rules(command)))
        if not self.proposal_sent:
            # Published with the first recorded rule set, so nothing decides before it exists.
            self.proposal_sent = True
            proposal = PublishRules(self.proposed)
            steps.append(_Step(event.effective_from, lambda: self.target.publish_rules(proposal)))
        return steps

    def code(self, partner_id: UUID) -> str:
        return self.codes[UUID(str(partner_id))]

    def opened(self, event: Any) -> events.Opened:
        return self.opportunities[UUID(str(event.originator_id))]


def _sweep_evidence(event: Any) -> date | None:
    """The day a sweep ran, for the events only a sweep records on its own date."""
    if isinstance(event, (Partner.TierReviewed, Partner.TierChanged)):
        return event.reviewed_on
    if isinstance(event, Partner.SpecializationWithdrawn):
        return event.withdrawn_on
    return None


Translate = Callable[["_Translation", Any], tuple[date, Callable[[], Any]]]


def _certification(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = RecordCertification(
        t.code(e.originator_id),
        e.individual,
        e.kind,
        e.specialization,
        e.effective_on,
        e.expires_on,
    )
    return e.effective_on, lambda: t.target.record_certification(command)


def _revocation(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = RevokeCertification(
        t.code(e.originator_id), e.individual, e.kind, e.specialization, e.revoked_on, e.reason
    )
    return e.revoked_on, lambda: t.target.revoke_certification(command)


def _award(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = AwardSpecialization(
        t.code(e.originator_id), e.specialization, e.contract_reference, e.awarded_on
    )
    return e.awarded_on, lambda: t.target.award_specialization(command)


def _engagement(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    o = t.opened(e)
    command = EngageVendorSales(o.reference, o.end_customer, o.specialization, e.engaged_on, e.note)
    return e.engaged_on, lambda: t.target.engage_vendor_sales(command)


def _registration(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    o = t.opened(e)
    command = RegisterDeal(
        opportunity=o.reference,
        end_customer=o.end_customer,
        specialization=o.specialization,
        partner_code=t.code(e.partner_id),
        estimated_value=e.estimated_value,
        expected_close=e.expected_close,
        presales_evidence=e.presales_evidence,
        new_business=e.new_business,
        registered_on=e.registered_on,
        company_identifier=t.company_identifiers.get(UUID(str(e.originator_id))),
    )
    return e.registered_on, lambda: t.target.register_deal(command)


def _release(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = ReleaseExclusivity(
        t.opened(e).reference, t.code(e.partner_id), e.released_on, e.reason
    )
    return e.released_on, lambda: t.target.release_exclusivity(command)


def _engineer_days(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = ConsumeEngineerDays(
        t.opened(e).reference, t.code(e.partner_id), e.days, e.consumed_on, e.note
    )
    return e.consumed_on, lambda: t.target.consume_engineer_days(command)


def _quote(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = IssueQuote(t.opened(e).reference, t.code(e.partner_id), e.list_price, e.issued_on)
    return e.issued_on, lambda: t.target.issue_quote(command)


def _win(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = RecordWin(t.opened(e).reference, t.code(e.partner_id), e.amount, e.won_on)
    return e.won_on, lambda: t.target.record_win(command)


def _loss(t: _Translation, e: Any) -> tuple[date, Callable[[], Any]]:
    command = RecordLoss(t.opened(e).reference, e.lost_on, e.reason, e.lost_to)
    return e.lost_on, lambda: t.target.record_loss(command)


_PARTNER: dict[type, Translate] = {
    Partner.CertificationEarned: _certification,
    Partner.CertificationRevoked: _revocation,
    Partner.SpecializationAwarded: _award,
}
_OPPORTUNITY: dict[type, Translate] = {
    Opportunity.VendorSalesEngaged: _engagement,
    Opportunity.Registered: _registration,
    Opportunity.ExclusivityReleased: _release,
    Opportunity.EngineerDaysConsumed: _engineer_days,
    Opportunity.QuoteIssued: _quote,
    Opportunity.Won: _win,
    Opportunity.Lost: _loss,
}
