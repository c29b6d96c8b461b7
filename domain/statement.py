"""A partner's statement on its own registration: the outcome, the rule that decided it, what
the partner held that counted, and what would have changed the outcome.

The partner-facing view of the facts `ledger audit explain` re-derives. It is built only from
the registrant's own facts, the opportunity's public state and the rules in force, and it never
names another partner: a protection someone else holds is "the opportunity was already
protected", a suspected conflict is "waiting for a channel manager's review", never the other
opportunity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain import opportunity_events as events
from domain.exclusivity import ExclusivityReason, RegistrationFacts, failing_rules
from domain.opportunity import Opportunity
from domain.partner import Partner
from domain.program import CertificationKind, Specialization
from domain.rules import ProgramRules

# What each rule means to the registrant, in its own words.
RULE_TEXT: dict[ExclusivityReason, str] = {
    ExclusivityReason.GRANTED_FIRST_QUALIFIED_REGISTRANT: (
        "the first qualified registrant of new business with pre-sales evidence is protected"
    ),
    ExclusivityReason.OPPORTUNITY_CLOSED: "the opportunity was already closed",
    ExclusivityReason.VENDOR_SALES_ENGAGED: "the vendor's own sales were already engaged",
    ExclusivityReason.RENEWAL: "a renewal is never protected, only new business",
    ExclusivityReason.NO_PRESALES_EVIDENCE: "the registration carried no pre-sales evidence",
    ExclusivityReason.REGISTERED_NOT_EXCLUSIVE: (
        "pre-sales work without the area's specialization earns preferential conditions, "
        "not exclusivity"
    ),
    ExclusivityReason.NOT_SPECIALIZED: "only a partner specialized in the area is protected",
    ExclusivityReason.ALREADY_PROTECTED: "the opportunity was already protected",
    ExclusivityReason.RE_REGISTRATION_NOT_ALLOWED: (
        "a partner whose protection expired may not register the opportunity again"
    ),
    ExclusivityReason.CONFLICT_SUSPECTED: "waiting for a channel manager's review",
}

_SPECIALIZATION_RULES = (
    ExclusivityReason.REGISTERED_NOT_EXCLUSIVE,
    ExclusivityReason.NOT_SPECIALIZED,
)


@dataclass(frozen=True)
class RecordedOutcome:
    """What the ledger recorded for the registration (one decision event)."""

    outcome: str  # granted, registered-not-exclusive, pending or denied
    reason_code: str
    rules_version: str
    decided_on: date
    valid_until: date | None


@dataclass(frozen=True)
class PartnerStatement:
    reference: str
    partner: str
    specialization: str
    registered_on: date
    outcome: str
    reason_code: str
    rule: str
    rules_version: str
    decided_on: date
    valid_until: date | None
    counted: tuple[str, ...]
    would_change: tuple[str, ...]


def partner_statement(
    recorded: RecordedOutcome,
    opportunity: Opportunity,
    registration: events.Registered,
    registrant: Partner,
    rules: ProgramRules,
) -> PartnerStatement:
    """The statement on a registration, from the opportunity, the registrant and the rules as
    they stood when it was decided."""
    on = registration.registered_on
    reason = ExclusivityReason(recorded.reason_code)
    return PartnerStatement(
        reference=opportunity.reference,
        partner=registrant.code,
        specialization=opportunity.specialization.value,
        registered_on=on,
        outcome=recorded.outcome,
        reason_code=recorded.reason_code,
        rule=RULE_TEXT[reason],
        rules_version=recorded.rules_version,
        decided_on=recorded.decided_on,
        valid_until=recorded.valid_until,
        counted=what_counted(opportunity.specialization, registration, registrant),
        would_change=what_would_change(reason, opportunity, registration, registrant, rules),
    )


def what_counted(
    specialization: Specialization, registration: events.Registered, registrant: Partner
) -> tuple[str, ...]:
    """The registrant's own facts the rules looked at, as they stood on the registration day."""
    on = registration.registered_on
    held = registrant.registrant_facts(on).specializations
    found = [
        "new business" if registration.new_business else "a renewal",
        (
            f"pre-sales evidence {registration.presales_evidence.strip()!r}"
            if registration.presales_evidence.strip()
            else "no pre-sales evidence"
        ),
        (
            f"the {specialization.value} specialization"
            if specialization in held
            else f"no {specialization.value} specialization"
        ),
    ]
    for kind in CertificationKind:
        count = registrant.certified_individuals(specialization, kind, on)
        found.append(f"{_people(count, kind)} in {specialization.value}")
    return tuple(found)


def what_would_change(
    reason: ExclusivityReason,
    opportunity: Opportunity,
    registration: events.Registered,
    registrant: Partner,
    rules: ProgramRules,
) -> tuple[str, ...]:
    """What the registrant would have needed for protection: every rule standing in its way
    (not only the one that decided), in the order they are checked. Empty when granted."""
    if reason.granted:
        return ()
    if reason.under_review:
        return (
            "nothing on your side: the registration is held, not refused, until a channel "
            "manager's review",
        )
    on = registration.registered_on
    standing = failing_rules(
        opportunity.facts(),
        RegistrationFacts(
            registration.partner_id,
            registration.new_business,
            registration.presales_evidence,
            on,
        ),
        registrant.registrant_facts(on),
        rules,
    )
    changes: list[str] = []
    for failing in standing:
        if failing in _SPECIALIZATION_RULES:
            if not any(c in _SPECIALIZATION_RULES for c in standing[: standing.index(failing)]):
                changes.extend(
                    _specialization_gap(opportunity.specialization, registrant, on, rules)
                )
        elif failing is ExclusivityReason.ALREADY_PROTECTED:
            own = opportunity.protection is not None and (
                opportunity.protection.partner_id == registrant.id
            )
            changes.append(
                "nothing: your own protection was already in force"
                if own
                else "registering before the opportunity was protected"
            )
        else:
            changes.append(_FIXES[failing])
    return tuple(changes)


_FIXES: dict[ExclusivityReason, str] = {
    ExclusivityReason.OPPORTUNITY_CLOSED: "registering before the opportunity closed",
    ExclusivityReason.VENDOR_SALES_ENGAGED: "registering before the vendor's sales engaged",
    ExclusivityReason.RENEWAL: "new business (a renewal is never protected)",
    ExclusivityReason.NO_PRESALES_EVIDENCE: "pre-sales evidence with the registration",
    ExclusivityReason.RE_REGISTRATION_NOT_ALLOWED: (
        "rules that allow registering again after a protection expired"
    ),
}


def _specialization_gap(
    specialization: Specialization, registrant: Partner, on: date, rules: ProgramRules
) -> list[str]:
    """The certified people still needed in the area, then the award under a signed agreement."""
    terms = rules.specialization_terms(specialization)
    wanted = {
        CertificationKind.SALES: terms.min_sales_certified,
        CertificationKind.TECHNICAL: terms.min_technical_certified,
    }
    gap = []
    for kind, minimum in wanted.items():
        missing = minimum - registrant.certified_individuals(specialization, kind, on)
        if missing > 0:
            more = "one more" if missing == 1 else f"{missing} more"
            noun = "individual" if missing == 1 else "individuals"
            gap.append(f"{more} {kind.value} certified {noun} in {specialization.value}")
    held = any(h.specialization is specialization for h in registrant.specializations.values())
    if held:
        gap.append(f"the {specialization.value} specialization awarded before the registration")
    else:
        gap.append(f"the {specialization.value} specialization awarded under a signed agreement")
    return gap


def _people(count: int, kind: CertificationKind) -> str:
    noun = "individual" if count == 1 else "individuals"
    return f"{count} {kind.value} certified {noun}"
