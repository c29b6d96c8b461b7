"""What a write command answers: the JSON object the HTTP API returns and `--json` prints.

One function per command, from the ledger's result to a JSON-ready object dumped by the API's
response schema, so the CLI and HTTP give the same fields and a request replayed under its key
(``infra.store.idempotency``) gives back exactly what the first answer was. Commands whose HTTP
answer is 204 answer, on the CLI, the command as recorded (its validated fields).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marshmallow import Schema

from contracts.inputs import api_schemas as answers
from domain.commands import EnrollPartner, PublishRules
from domain.ledger import EngineerDaysDrawn, QuoteResult, RegistrationResult, SweepReport

Answer = dict[str, Any]


def _dumped(schema: Schema, value: Any) -> Answer:
    dumped: Answer = schema.dump(value)
    return dumped


def rules_published(command: PublishRules) -> Answer:
    rules = command.rules
    return {"rules_version": rules.version, "effective_from": rules.effective_from.isoformat()}


def enrolled(command: EnrollPartner, partner_id: UUID) -> Answer:
    return _dumped(
        answers.EnrolledSchema(), {"partner": command.code, "partner_id": str(partner_id)}
    )


def registration(result: RegistrationResult) -> Answer:
    decision = result.decision
    return _dumped(
        answers.RegistrationSchema(),
        {
            "opportunity_id": str(result.opportunity_id),
            "decision_id": str(result.decision_id),
            "outcome": decision.outcome,
            "reason_code": decision.reason.value,
            "rules_version": decision.rules_version,
            "valid_until": decision.valid_until,
        },
    )


def quote(result: QuoteResult) -> Answer:
    price = result.price
    return _dumped(
        answers.IssuedQuoteSchema(),
        {
            "quote_id": str(result.quote_id),
            "tier": price.tier.value,
            "list_price": price.list_price,
            "tier_discount": price.tier_discount,
            "registration_uplift": price.registration_uplift,
            "net_price": price.net_price,
            "protection": price.protection.value,
            "rules_version": price.rules_version,
            "notice": result.notice,
        },
    )


def win(opportunity: str, qualified: bool) -> Answer:
    return _dumped(answers.WinSchema(), {"opportunity": opportunity, "qualified": qualified})


def engineer_days(drawn: EngineerDaysDrawn) -> Answer:
    return _dumped(answers.EngineerDaysDrawnSchema(), drawn)


def sweep(report: SweepReport) -> Answer:
    return _dumped(answers.SweepReportSchema(), report)


def as_recorded(schema: Schema, command: object) -> Answer:
    """A command that answers nothing but its own facts: them, as its schema reads them."""
    return _dumped(schema, command)
