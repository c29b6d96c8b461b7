"""`ledger audit explain ID`: re-derive a recorded decision from the history before it.

The id is an event id, as the projections show it: an exclusivity decision's `decision_id`,
a quote's `quote_id`, a tier change's `event_id`. Event ids are hashes of (aggregate id,
version), so the event is found by scanning the store's notification log (the source of
truth, not the projections) for events of those three kinds.

Every aggregate the decision read is rebuilt as it stood immediately before the event: its
own aggregate at the previous version, and any other (the registrant or quoted partner, the
program and its rules) at its last version recorded at a lower notification id, which on
both stores is the commit order. The pure rule is then run again (domain.explain_*) and its
outcome set beside the recorded one.

A command that read a partner while another process was changing it decided on the state
it loaded, which the log may place on either side of the concurrent write; such a decision
would show up here as a disagreement for an auditor to look at, never be silently accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from contracts.wire.catalog import CONTRACTS, contract_for_event
from contracts.wire.codec import event_id_text
from domain.explain import Rederivation
from domain.explain_benefits import rederive_benefits_grant
from domain.explain_conflict import rederive_conflict
from domain.explain_exclusivity import rederive_exclusivity
from domain.explain_quote import rederive_quote
from domain.explain_tier_change import rederive_tier_change, rederive_tier_review
from domain.explain_win import rederive_win
from domain.ledger import Ledger
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.partner_program import PROGRAM_ID, PartnerProgram

PAGE = 1000

KINDS: dict[type, str] = {
    Opportunity.ExclusivityGranted: "exclusivity decision",
    Opportunity.ExclusivityDenied: "exclusivity decision",
    Opportunity.RegisteredNonExclusive: "exclusivity decision",
    Opportunity.ConflictSuspected: "suspected conflict",
    Opportunity.BenefitsGranted: "benefits grant",
    Opportunity.QuoteIssued: "quote",
    Opportunity.Won: "win",
    Partner.TierChanged: "tier change",
    Partner.TierReviewed: "tier review",
}
DECISION_TOPICS = [get_topic(kind) for kind in KINDS]
# The aggregates a decision may read besides its own: partners and the program.
_CONTEXT_TOPICS = sorted(
    {get_topic(c.domain_class) for c in CONTRACTS if c.aggregate_type in ("partner", "program")}
)

_OPPORTUNITY_TOPICS = sorted(
    {get_topic(c.domain_class) for c in CONTRACTS if c.aggregate_type == "opportunity"}
)


class UnknownDecision(LookupError):
    """No exclusivity decision, quote or tier change with this id is in the store."""


class NoHistoryBefore(LookupError):
    """An aggregate the decision names has no event before it: nothing to re-derive from."""


@dataclass(frozen=True)
class Explanation:
    decision_id: str
    kind: str
    event_type: str
    position: int
    subject: str  # the opportunity's reference or the partner's code
    rederivation: Rederivation

    @property
    def agrees(self) -> bool:
        return self.rederivation.agrees


def explain(ledger: Ledger, decision_id: UUID) -> Explanation:
    """The recorded decision with this event id beside its re-derivation."""
    notification = find_decision(ledger, decision_id)
    recorded = ledger.mapper.to_domain_event(notification)
    history = HistoryBefore(ledger, notification.id)
    if isinstance(recorded, (Partner.TierChanged, Partner.TierReviewed)):
        partner = history.own(recorded)
        subject = partner.code
        if isinstance(recorded, Partner.TierChanged):
            found = rederive_tier_change(recorded, partner, history.program())
        else:
            found = rederive_tier_review(recorded, partner, history.program())
    else:
        opportunity = history.own(recorded)
        subject = opportunity.reference
        found = _rederive_opportunity_decision(recorded, opportunity, history)
    return Explanation(
        str(decision_id),
        KINDS[type(recorded)],
        contract_for_event(recorded).event_type,
        notification.id,
        subject,
        found,
    )


def _rederive_opportunity_decision(
    recorded: Any, opportunity: Opportunity, history: HistoryBefore
) -> Rederivation:
    if isinstance(recorded, Opportunity.QuoteIssued):
        partner = history.partner(recorded.partner_id)
        return rederive_quote(recorded, opportunity, partner, history.program())
    if isinstance(recorded, Opportunity.BenefitsGranted):
        return rederive_benefits_grant(recorded, opportunity, history.program())
    if isinstance(recorded, Opportunity.Won):
        return rederive_win(recorded, opportunity, history.program())
    registration = history.previous_event(recorded)
    if not isinstance(registration, Opportunity.Registered):
        raise NoHistoryBefore(
            f"the event before decision {event_id_of(recorded)} on {opportunity.reference!r} "
            "is not a registration"
        )
    registrant = history.partner(registration.partner_id)
    if isinstance(recorded, Opportunity.ConflictSuspected):
        conflicting = history.opportunity(recorded.conflicting_opportunity_id)
        return rederive_conflict(
            recorded, opportunity, registration, registrant, history.program(), conflicting
        )
    return rederive_exclusivity(recorded, opportunity, registration, registrant, history.program())


def win_of(ledger: Ledger, reference: str) -> UUID:
    """The event id of the opportunity's win (`ledger audit explain --win REFERENCE`)."""
    opportunity_id = Opportunity.create_id(reference.strip())
    for event in ledger.events.get(opportunity_id):
        if isinstance(event, Opportunity.Won):
            return UUID(event_id_of(event))
    raise UnknownDecision(f"no win of an opportunity {reference!r} in the event store")


def find_decision(ledger: Ledger, decision_id: UUID) -> Notification:
    wanted = str(decision_id)
    for notification in notifications(ledger, DECISION_TOPICS):
        if event_id_of_notification(notification) == wanted:
            return notification
    raise UnknownDecision(
        f"no exclusivity decision, quote or tier change with id {wanted} in the event store"
    )


class HistoryBefore:
    """Aggregates rebuilt from the events recorded before one notification."""

    def __init__(self, ledger: Ledger, position: int) -> None:
        self.ledger = ledger
        self.position = position
        self._versions: dict[UUID, int] | None = None

    def own(self, event: Any) -> Any:
        """The event's own aggregate at the version before it."""
        return self._get(UUID(str(event.originator_id)), event.originator_version - 1)

    def previous_event(self, event: Any) -> Any:
        version = event.originator_version - 1
        found = list(self.ledger.events.get(event.originator_id, gt=version - 1, lte=version))
        return found[0] if found else None

    def partner(self, partner_id: UUID) -> Partner:
        return cast(Partner, self._get(partner_id, self._version_before(partner_id)))

    def program(self) -> PartnerProgram:
        return cast(PartnerProgram, self._get(PROGRAM_ID, self._version_before(PROGRAM_ID)))

    def opportunity(self, opportunity_id: UUID) -> Opportunity | None:
        """Another opportunity as it stood before the decision (None: not opened yet)."""
        version = 0
        wanted = str(opportunity_id)
        for n in notifications(self.ledger, _OPPORTUNITY_TOPICS, stop=self.position - 1):
            if str(n.originator_id) == wanted:
                version = n.originator_version
        if version == 0:
            return None
        return cast(Opportunity, self._get(opportunity_id, version))

    def _get(self, aggregate_id: UUID, version: int) -> Any:
        if version < 1:
            raise NoHistoryBefore(
                f"aggregate {aggregate_id} has no event before position {self.position}"
            )
        return self.ledger.repository.get(aggregate_id, version=version)

    def _version_before(self, aggregate_id: UUID) -> int:
        if self._versions is None:
            # One pass over the partner and program events before the decision.
            self._versions = {}
            for n in notifications(self.ledger, _CONTEXT_TOPICS, stop=self.position - 1):
                self._versions[UUID(str(n.originator_id))] = n.originator_version
        return self._versions.get(aggregate_id, 0)


def notifications(
    ledger: Ledger, topics: Iterable[str], stop: int | None = None
) -> Iterator[Notification]:
    """The store's notifications of these topics, in order, up to `stop` (inclusive)."""
    topics = list(topics)
    start = 1
    while stop is None or start <= stop:
        page = ledger.recorder.select_notifications(
            start=start, limit=PAGE, stop=stop, topics=topics
        )
        if not page:
            return
        yield from page
        start = page[-1].id + 1


def event_id_of_notification(notification: Notification) -> str:
    return event_id_text(str(notification.originator_id), notification.originator_version)


def event_id_of(event: Any) -> str:
    return event_id_text(str(event.originator_id), event.originator_version)
