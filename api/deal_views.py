"""Opportunities: decision history and quotes, a partner's statement, expiring protections,
decisions by reason.

A partner token sees only its own decisions and quotes. An opportunity it has neither
registered nor been quoted on gets exactly the 404 a missing one gets, and what it does see
names no other partner: the evidence of a denial (the protecting decision) is left out.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask_smorest import Blueprint, abort
from werkzeug.exceptions import NotFound

from api.access import READERS, STAFF, allow, partner_scope
from api.backends import ledger, projections
from api.pagination import paginated
from contracts.inputs.api_schemas import (
    DealHistorySchema,
    DecisionCountSchema,
    DecisionSchema,
    ExpiringQuerySchema,
    PageQuerySchema,
    ReviewSchema,
    StatementQuerySchema,
    StatementSchema,
)
from infra.audit.statement import NoStatement, statement_for
from projections.models.exclusivity_decisions import (
    DecisionCount,
    DecisionView,
    decision_history,
    expiring_registrations,
)
from projections.models.exclusivity_decisions import decision_counts as count_decisions
from projections.models.quotes import QuoteView, quotes_for
from projections.models.reviews import ReviewView, pending_reviews

PARTNER_HIDDEN = ("evidence_event_ids",)


def deal_blueprint() -> Blueprint:
    blp = Blueprint("deals", __name__, description="opportunities, decisions and quotes")

    @blp.route("/opportunities/<reference>/history")
    @allow(*READERS)
    @blp.response(200, DealHistorySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def history(reference: str) -> dict[str, Any]:
        """An opportunity's exclusivity decisions (reason, rules version, evidence) and quotes."""
        with projections() as connection:
            decisions = decision_history(connection, reference)
            quotes = quotes_for(connection, reference) if decisions else []
        return scoped_history(reference, decisions, quotes)

    @blp.route("/opportunities/<reference>/statement")
    @allow(*READERS)
    @blp.arguments(StatementQuerySchema, location="query")
    @blp.response(200, StatementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def statement(query: dict[str, Any], reference: str) -> dict[str, Any]:
        """A partner's statement on its own registration: the outcome, the rule that decided it,
        what the partner held that counted and what would have changed the outcome.

        Read from the event store. A partner token reads its own; staff name the partner with
        `partner`. Another partner's registration, or none, is the 404 a missing one is.
        """
        try:
            found = statement_for(ledger(), reference, statement_partner(query), query.get("as_of"))
        except NoStatement:
            # The same answer for a missing opportunity and for one the partner has no part in.
            raise NotFound("no such registration") from None
        shown = asdict(found)
        shown["opportunity"] = shown.pop("reference")
        return shown

    @blp.route("/registrations/expiring")
    @allow(*READERS)
    @blp.arguments(ExpiringQuerySchema, location="query")
    @blp.response(200, DecisionSchema(many=True))
    @paginated
    def expiring(query: dict[str, Any]) -> Any:
        """Protections in force on as_of that lapse within the next `within` days."""
        with projections() as connection:
            found = expiring_registrations(
                connection, query.get("as_of") or date.today(), query["within"]
            )
        scope = partner_scope()
        if scope is None:
            return found
        return [partner_view(d) for d in found if d.partner == scope]

    @blp.route("/decisions")
    @allow(*STAFF)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, DecisionCountSchema(many=True))
    @paginated
    def decision_counts(_page: dict[str, Any]) -> list[DecisionCount]:
        """Exclusivity decisions by outcome and reason, program-wide (not for partners)."""
        with projections() as connection:
            return count_decisions(connection)

    @blp.route("/reviews")
    @allow(*STAFF)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, ReviewSchema(many=True))
    @paginated
    def reviews(_page: dict[str, Any]) -> list[ReviewView]:
        """Registrations waiting for a channel manager, oldest first, each with the other
        opportunity its customer matched (not for partners)."""
        with projections() as connection:
            return pending_reviews(connection)

    return blp


def statement_partner(query: dict[str, Any]) -> str:
    """Whose statement: a partner token's own partner (another one is answered as missing),
    the `partner` a staff token names."""
    scope, wanted = partner_scope(), query.get("partner")
    if scope is not None:
        if wanted not in (None, scope):
            raise NotFound("no such registration")
        return scope
    if wanted is None:
        abort(422, messages={"query": {"partner": ["required for a staff token"]}})
    return str(wanted)


def scoped_history(
    reference: str, decisions: list[DecisionView], quotes: list[QuoteView]
) -> dict[str, Any]:
    scope = partner_scope()
    if scope is not None:
        decisions = [d for d in decisions if d.partner == scope]
        quotes = [q for q in quotes if q.partner == scope]
    if not decisions and not quotes:
        # The same answer for a missing opportunity and for one the partner has no part in.
        raise NotFound("no such opportunity")
    return {
        "opportunity": reference,
        "decisions": decisions if scope is None else [partner_view(d) for d in decisions],
        "quotes": quotes,
    }


def partner_view(decision: DecisionView) -> dict[str, Any]:
    """The decision without what could point at another partner (the response schema leaves
    out absent keys)."""
    shown = asdict(decision)
    for name in PARTNER_HIDDEN:
        del shown[name]
    return shown
