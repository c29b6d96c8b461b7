"""Setting a re-derived decision beside the recorded one: the shape of an auditor's explanation.

A recorded decision (an exclusivity decision, a quote, a tier change) is re-derived by running
the same pure rule again on the history before it (see domain.explain_decisions). The two
outcomes are compared field by field, so a disagreement names exactly what differs, and the
facts the rule looked at are listed as evidence, each with the event that established it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

from domain.partner_program import PartnerProgram
from domain.rules import ProgramRules


@dataclass(frozen=True)
class FieldCheck:
    """One field of the outcome, as recorded and as re-derived."""

    name: str
    recorded: Any
    rederived: Any

    @property
    def agrees(self) -> bool:
        return bool(self.recorded == self.rederived)


@dataclass(frozen=True)
class EvidenceItem:
    """A fact the rule relied on, and the event that recorded it (when one did)."""

    kind: str
    detail: str
    event_id: str | None = None


@dataclass(frozen=True)
class Rederivation:
    checks: tuple[FieldCheck, ...]
    evidence: tuple[EvidenceItem, ...]

    @property
    def agrees(self) -> bool:
        return all(check.agrees for check in self.checks)

    @property
    def disagreements(self) -> list[str]:
        return [check.name for check in self.checks if not check.agrees]


def field_checks(
    recorded: Mapping[str, Any], rederived: Mapping[str, Any]
) -> tuple[FieldCheck, ...]:
    """Pair the two outcomes by field name; a field only one side has is a disagreement."""
    names = list(recorded) + [name for name in rederived if name not in recorded]
    return tuple(
        FieldCheck(name, comparable(recorded.get(name)), comparable(rederived.get(name)))
        for name in names
    )


def comparable(value: Any) -> Any:
    """Values in one plain form on both sides: the store gives lists and enums, the rules
    tuples and enums, and an id is the same id whether it is a UUID or its text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (list, tuple, frozenset)):
        items = [comparable(item) for item in value]
        return tuple(sorted(items) if isinstance(value, frozenset) else items)
    return value


@dataclass(frozen=True)
class RulesApplied:
    """The rule set a re-derivation runs under, and the version history says was in force."""

    rules: ProgramRules
    in_force: str


def rules_applied(program: PartnerProgram, named_version: str, on: date) -> RulesApplied:
    """The version the decision names, as published before it; if it was never published,
    the rules in force that day (the rules-version check then shows the difference)."""
    in_force = program.rules_in_force(on)
    named = [rules for rules, _ in program.rule_sets if rules.version == named_version]
    return RulesApplied(named[-1] if named else in_force, in_force.version)


def rules_evidence(program: PartnerProgram, applied: RulesApplied) -> EvidenceItem:
    rules = applied.rules
    return EvidenceItem(
        "rules",
        f"version {rules.version}, effective from {rules.effective_from}",
        str(program.rules_event_id(rules.version)),
    )
