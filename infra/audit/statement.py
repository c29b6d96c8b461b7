"""A partner's statement on its own registration, from the event store.

The same history `ledger audit explain` re-derives from: the partner's latest decision on the
opportunity (an exclusivity decision or a suspected conflict), with the opportunity, the
registrant and the rules rebuilt as they stood just before it. The wording is the domain's
(domain.statement); this module only finds the facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.exclusivity import ExclusivityReason
from domain.explain import rules_applied
from domain.explain_exclusivity import recorded_outcome
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.statement import PartnerStatement, RecordedOutcome, partner_statement
from infra.audit.explain import HistoryBefore, NoHistoryBefore, event_id_of, find_decision

_DECISIONS = (
    Opportunity.ExclusivityGranted,
    Opportunity.ExclusivityDenied,
    Opportunity.RegisteredNonExclusive,
    Opportunity.ConflictSuspected,
)


class NoStatement(LookupError):
    """The partner has no decided registration of this opportunity (or it does not exist):
    one message for both, so a statement never tells who else registered."""


def statement_for(
    ledger: Ledger, reference: str, partner_code: str, as_of: date | None = None
) -> PartnerStatement:
    """The statement on the partner's latest registration of the opportunity decided on or
    before `as_of` (every decision when None)."""
    reference, partner_code = reference.strip(), partner_code.strip()
    decision = _latest_decision(ledger, reference, Partner.create_id(partner_code), as_of)
    if decision is None:
        when = f" decided on or before {as_of}" if as_of else ""
        raise NoStatement(
            f"no registration of opportunity {reference!r} by partner {partner_code!r}{when}"
        )
    history = HistoryBefore(ledger, find_decision(ledger, UUID(event_id_of(decision))).id)
    opportunity: Opportunity = history.own(decision)
    registration = history.previous_event(decision)
    if not isinstance(registration, Opportunity.Registered):
        raise NoHistoryBefore(
            f"the event before decision {event_id_of(decision)} on {reference!r} "
            "is not a registration"
        )
    program = history.program()
    rules = rules_applied(program, decision.rules_version, registration.registered_on).rules
    return partner_statement(
        _recorded(decision),
        opportunity,
        registration,
        history.partner(registration.partner_id),
        rules,
    )


def _latest_decision(ledger: Ledger, reference: str, partner_id: UUID, as_of: date | None) -> Any:
    found = None
    for event in ledger.events.get(Opportunity.create_id(reference)):
        if (
            isinstance(event, _DECISIONS)
            and event.partner_id == partner_id
            and (as_of is None or event.decided_on <= as_of)
        ):
            found = event
    return found


def _recorded(decision: Any) -> RecordedOutcome:
    if isinstance(decision, Opportunity.ConflictSuspected):
        return RecordedOutcome(
            "pending",
            ExclusivityReason.CONFLICT_SUSPECTED.value,
            decision.rules_version,
            decision.decided_on,
            None,
        )
    until = None if isinstance(decision, Opportunity.ExclusivityDenied) else decision.valid_until
    return RecordedOutcome(
        recorded_outcome(decision),
        decision.reason_code,
        decision.rules_version,
        decision.decided_on,
        until,
    )
