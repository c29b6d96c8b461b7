"""The PartnerProgram aggregate: the published rule sets and the roster of specialized partners.

One instance for the whole program. Awards of a first specialization to a partner go through
its version, so the cap on specialized partners holds even when two awards race.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import NoRulesInForce, RulesVersionAlreadyPublished, SpecializationCapReached
from domain.identity import event_id, name_based_id
from domain.rules import ProgramRules

PROGRAM_ID = name_based_id("program", "partner-program")


class PartnerProgram(Aggregate):
    class Started(Aggregate.Created):
        name: str
        started_on: date

    class RulesPublished(Aggregate.Event):
        version: str
        effective_from: date
        document: dict[str, Any]

    class SpecialistAdmitted(Aggregate.Event):
        partner_id: UUID
        admitted_on: date

    class SpecialistRemoved(Aggregate.Event):
        partner_id: UUID
        removed_on: date

    @staticmethod
    def create_id(name: str) -> UUID:
        return PROGRAM_ID

    @event(Started)
    def __init__(self, name: str, started_on: date) -> None:
        self.name = name
        self.started_on = started_on
        self.rule_sets: list[tuple[ProgramRules, UUID]] = []
        self.specialists: set[UUID] = set()

    def publish_rules(self, rules: ProgramRules) -> None:
        """Publish a rule set; it applies to decisions from its effective date on."""
        if any(published.version == rules.version for published, _ in self.rule_sets):
            raise RulesVersionAlreadyPublished(f"rules version {rules.version!r} already published")
        self._rules_published(rules.version, rules.effective_from, rules.to_document())

    def rules_in_force(self, as_of: date) -> ProgramRules:
        """The latest-effective rule set on the given date."""
        in_force = [r for r, _ in self.rule_sets if r.effective_from <= as_of]
        if not in_force:
            raise NoRulesInForce(f"no program rules in force on {as_of}: publish rules first")
        # Of sets effective the same day, the one published last wins: it corrects the other.
        return max(reversed(in_force), key=lambda r: r.effective_from)

    def rules_event_id(self, version: str) -> UUID:
        return next(eid for rules, eid in self.rule_sets if rules.version == version)

    def admit_specialist(self, partner_id: UUID, admitted_on: date, rules: ProgramRules) -> None:
        """Count a partner among the specialized ones; refuses past the cap."""
        if partner_id in self.specialists:
            return
        if len(self.specialists) >= rules.max_specialized_partners:
            raise SpecializationCapReached(
                f"the program already has {len(self.specialists)} specialized partners "
                f"(cap {rules.max_specialized_partners} in rules {rules.version})"
            )
        self._specialist_admitted(partner_id, admitted_on)

    def remove_specialist(self, partner_id: UUID, removed_on: date) -> None:
        if partner_id in self.specialists:
            self._specialist_removed(partner_id, removed_on)

    @event(RulesPublished)
    def _rules_published(
        self, version: str, effective_from: date, document: dict[str, Any]
    ) -> None:
        rules = ProgramRules.from_document(document)
        self.rule_sets.append((rules, event_id(self.id, self.version + 1)))

    @event(SpecialistAdmitted)
    def _specialist_admitted(self, partner_id: UUID, admitted_on: date) -> None:
        self.specialists.add(partner_id)

    @event(SpecialistRemoved)
    def _specialist_removed(self, partner_id: UUID, removed_on: date) -> None:
        self.specialists.discard(partner_id)
