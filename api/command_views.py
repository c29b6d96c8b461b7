"""Commands for channel managers: the same operations, and the same schemas, as the CLI.

Each body is loaded by its command schema in ``contracts.inputs.commands`` before the ledger sees
it; a rejected body or a broken rule records nothing. Business dates are part of the body: the API
never guesses "today" for a fact it records.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest import Blueprint

from api.access import allow
from api.backends import ledger
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
from domain.ledger import SweepReport
from domain.rules import ProgramRules
from infra.roles import Role

RULE_ERRORS = [409, 422]


def command_blueprint() -> Blueprint:
    blp = Blueprint("commands", __name__, url_prefix="/commands", description="commands")

    def command(path: str, schema: Any, status: int, response: Any = None) -> Any:
        def decorate(view: Any) -> Any:
            for code in RULE_ERRORS:
                view = blp.alt_response(code, response=_component(code))(view)
            view = blp.response(status, response)(view)
            view = blp.arguments(schema)(view)
            view = allow(Role.CHANNEL_MANAGER)(view)
            return blp.route(path, methods=["POST"])(view)

        return decorate

    @command("/publish-rules", ProgramRulesSchema, 204)
    def publish_rules(rules: ProgramRules) -> None:
        """Publish a versioned rule set (the document `ledger rules publish` reads)."""
        ledger().publish_rules(commands.PublishRules(rules))

    @command("/enroll-partner", schemas.EnrollPartnerSchema, 201, EnrolledSchema)
    def enroll_partner(command: commands.EnrollPartner) -> Any:
        """Enrol a partner with its legacy tier; `Location` is its status."""
        partner_id = ledger().enroll_partner(command)
        body = {"partner": command.code, "partner_id": str(partner_id)}
        return body, {"Location": url_for("partners.one_partner", code=command.code)}

    @command("/record-certification", schemas.RecordCertificationSchema, 204)
    def record_certification(command: commands.RecordCertification) -> None:
        """Record a certification earned by an individual at a partner."""
        ledger().record_certification(command)

    @command("/revoke-certification", schemas.RevokeCertificationSchema, 204)
    def revoke_certification(command: commands.RevokeCertification) -> None:
        """Revoke an individual's certification."""
        ledger().revoke_certification(command)

    @command("/award-specialization", schemas.AwardSpecializationSchema, 204)
    def award_specialization(command: commands.AwardSpecialization) -> None:
        """Award a specialization under a signed agreement."""
        ledger().award_specialization(command)

    @command("/register-deal", schemas.RegisterDealSchema, 201, RegistrationSchema)
    def register_deal(command: commands.RegisterDeal) -> Any:
        """Register an opportunity for a partner and decide its exclusivity; `Location` is
        the opportunity's decision history."""
        result = ledger().register_deal(command)
        decision = result.decision
        body = {
            "opportunity_id": str(result.opportunity_id),
            "decision_id": str(result.decision_id),
            "outcome": decision.outcome,
            "reason_code": decision.reason.value,
            "rules_version": decision.rules_version,
            "valid_until": decision.valid_until,
        }
        return body, {"Location": history_url(command.opportunity)}

    @command("/engage-vendor-sales", schemas.EngageVendorSalesSchema, 204)
    def engage_vendor_sales(command: commands.EngageVendorSales) -> None:
        """Record that the vendor's own sales already work this opportunity."""
        ledger().engage_vendor_sales(command)

    @command("/release-exclusivity", schemas.ReleaseExclusivitySchema, 204)
    def release_exclusivity(command: commands.ReleaseExclusivity) -> None:
        """The protected partner gives up its exclusivity."""
        ledger().release_exclusivity(command)

    @command("/issue-quote", schemas.IssueQuoteSchema, 201, IssuedQuoteSchema)
    def issue_quote(command: commands.IssueQuote) -> Any:
        """Price and record a quote; a partner quoted on another's protected deal is told it
        is protected, never by whom. `Location` is the opportunity's history, which lists its
        quotes."""
        result = ledger().issue_quote(command)
        price = result.price
        body = {
            "quote_id": str(result.quote_id),
            "tier": price.tier.value,
            "list_price": price.list_price,
            "tier_discount": price.tier_discount,
            "registration_uplift": price.registration_uplift,
            "net_price": price.net_price,
            "protection": price.protection.value,
            "rules_version": price.rules_version,
            "notice": result.notice,
        }
        return body, {"Location": history_url(command.opportunity)}

    @command("/record-win", schemas.RecordWinSchema, 200, WinSchema)
    def record_win(command: commands.RecordWin) -> dict[str, Any]:
        """Close an opportunity as won; says whether it counts as qualified revenue."""
        return {"opportunity": command.opportunity, "qualified": ledger().record_win(command)}

    @command("/record-loss", schemas.RecordLossSchema, 204)
    def record_loss(command: commands.RecordLoss) -> None:
        """Close an opportunity as lost."""
        ledger().record_loss(command)

    @command("/sweep", SweepSchema, 200, SweepReportSchema)
    def sweep(body: dict[str, Any]) -> SweepReport:
        """Apply expiries and due tier reviews up to as_of."""
        return ledger().sweep(body["as_of"])

    return blp


def history_url(reference: str) -> str:
    """Where an opportunity's decisions and quotes are read (GET, once projected)."""
    return url_for("deals.history", reference=reference)


def _component(status: int) -> str:
    return {409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY"}[status]
