"""Commands for channel managers: the same operations, and the same schemas, as the CLI.

Each body is loaded by its command schema in ``contracts.inputs.commands`` before the ledger sees
it; a rejected body or a broken rule records nothing. Business dates are part of the body: the API
never guesses "today" for a fact it records. Each takes an `Idempotency-Key` header
(``api.idempotent``).
"""

from __future__ import annotations

from functools import partial, wraps
from typing import Any

from flask import Response, url_for
from flask_smorest import Blueprint

from api.access import allow
from api.backends import ledger
from api.idempotent import IDEMPOTENCY_PARAMETER, Once, answer_once
from contracts.inputs import command_answers as answers
from contracts.inputs import commands as schemas
from contracts.inputs.api_schemas import (
    EnrolledSchema,
    IssuedQuoteSchema,
    RegistrationSchema,
    SweepReportSchema,
    SweepSchema,
    WinSchema,
)
from contracts.inputs.rules_schema import ProgramRulesSchema
from domain import commands
from domain.rules import ProgramRules
from infra.roles import Role

RULE_ERRORS = [409, 422]


def command_blueprint() -> Blueprint:
    blp = Blueprint("commands", __name__, url_prefix="/commands", description="commands")

    def command(path: str, schema: Any, status: int, response: Any = None) -> Any:
        def decorate(view: Any) -> Any:
            @wraps(view)
            def once(body: Any) -> Response:
                return answer_once(path.lstrip("/"), body, view(body), status)

            routed: Any = once
            for code in RULE_ERRORS:
                routed = blp.alt_response(code, response=_component(code))(routed)
            routed = blp.alt_response(400, response="BAD_REQUEST")(routed)
            routed = blp.doc(parameters=[IDEMPOTENCY_PARAMETER])(routed)
            routed = blp.response(status, response)(routed)
            routed = blp.arguments(schema)(routed)
            routed = allow(Role.CHANNEL_MANAGER)(routed)
            return blp.route(path, methods=["POST"])(routed)

        return decorate

    def as_recorded(schema: Any, command: object) -> Any:
        return lambda _: answers.as_recorded(schema(), command)

    @command("/publish-rules", ProgramRulesSchema, 204)
    def publish_rules(rules: ProgramRules) -> Once[None]:
        """Publish a versioned rule set (the document `ledger rules publish` reads)."""
        command = commands.PublishRules(rules)
        return Once(
            partial(ledger().publish_rules, command), lambda _: answers.rules_published(command)
        )

    @command("/enroll-partner", schemas.EnrollPartnerSchema, 201, EnrolledSchema)
    def enroll_partner(command: commands.EnrollPartner) -> Once[Any]:
        """Enrol a partner with its legacy tier; `Location` is its status."""
        return Once(
            partial(ledger().enroll_partner, command),
            partial(answers.enrolled, command),
            url_for("partners.one_partner", code=command.code),
        )

    @command("/record-certification", schemas.RecordCertificationSchema, 204)
    def record_certification(command: commands.RecordCertification) -> Once[None]:
        """Record a certification earned by an individual at a partner."""
        return Once(
            partial(ledger().record_certification, command),
            as_recorded(schemas.RecordCertificationSchema, command),
        )

    @command("/revoke-certification", schemas.RevokeCertificationSchema, 204)
    def revoke_certification(command: commands.RevokeCertification) -> Once[None]:
        """Revoke an individual's certification."""
        return Once(
            partial(ledger().revoke_certification, command),
            as_recorded(schemas.RevokeCertificationSchema, command),
        )

    @command("/award-specialization", schemas.AwardSpecializationSchema, 204)
    def award_specialization(command: commands.AwardSpecialization) -> Once[None]:
        """Award a specialization under a signed agreement."""
        return Once(
            partial(ledger().award_specialization, command),
            as_recorded(schemas.AwardSpecializationSchema, command),
        )

    @command("/register-deal", schemas.RegisterDealSchema, 201, RegistrationSchema)
    def register_deal(command: commands.RegisterDeal) -> Once[Any]:
        """Register an opportunity for a partner and decide its exclusivity; `Location` is
        the opportunity's decision history."""
        return Once(
            partial(ledger().register_deal, command),
            answers.registration,
            history_url(command.opportunity),
        )

    @command("/engage-vendor-sales", schemas.EngageVendorSalesSchema, 204)
    def engage_vendor_sales(command: commands.EngageVendorSales) -> Once[None]:
        """Record that the vendor's own sales already work this opportunity."""
        return Once(
            partial(ledger().engage_vendor_sales, command),
            as_recorded(schemas.EngageVendorSalesSchema, command),
        )

    @command("/release-exclusivity", schemas.ReleaseExclusivitySchema, 204)
    def release_exclusivity(command: commands.ReleaseExclusivity) -> Once[None]:
        """The protected partner gives up its exclusivity."""
        return Once(
            partial(ledger().release_exclusivity, command),
            as_recorded(schemas.ReleaseExclusivitySchema, command),
        )

    @command("/issue-quote", schemas.IssueQuoteSchema, 201, IssuedQuoteSchema)
    def issue_quote(command: commands.IssueQuote) -> Once[Any]:
        """Price and record a quote; a partner quoted on another's protected deal is told it
        is protected, never by whom. `Location` is the opportunity's history, which lists its
        quotes."""
        return Once(
            partial(ledger().issue_quote, command), answers.quote, history_url(command.opportunity)
        )

    @command("/record-win", schemas.RecordWinSchema, 200, WinSchema)
    def record_win(command: commands.RecordWin) -> Once[bool]:
        """Close an opportunity as won; says whether it counts as qualified revenue."""
        return Once(
            partial(ledger().record_win, command), partial(answers.win, command.opportunity)
        )

    @command("/record-loss", schemas.RecordLossSchema, 204)
    def record_loss(command: commands.RecordLoss) -> Once[None]:
        """Close an opportunity as lost."""
        return Once(
            partial(ledger().record_loss, command),
            as_recorded(schemas.RecordLossSchema, command),
        )

    @command("/sweep", SweepSchema, 200, SweepReportSchema)
    def sweep(body: dict[str, Any]) -> Once[Any]:
        """Apply expiries and due tier reviews up to as_of."""
        return Once(partial(ledger().sweep, body["as_of"]), answers.sweep)

    return blp


def history_url(reference: str) -> str:
    """Where an opportunity's decisions and quotes are read (GET, once projected)."""
    return url_for("deals.history", reference=reference)


def _component(status: int) -> str:
    return {409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY"}[status]
