"""What ops and auditors watch: dead letters, and the audit trail of decisions."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from api.access import allow
from api.backends import projections
from api.pagination import page_of
from contracts.inputs.api_schemas import AuditedHistorySchema, DeadLettersSchema, PageQuerySchema
from infra.roles import Role
from projections.models.dead_letters import dead_letters as read_dead_letters
from projections.models.exclusivity_decisions import decision_history
from projections.models.program_rules import rules_document_in_force


def operations_blueprint() -> Blueprint:
    blp = Blueprint("operations", __name__, description="dead letters and audit trails")

    @blp.route("/dead-letters")
    @allow(Role.OPS, Role.AUDITOR)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, DeadLettersSchema)
    def dead_letters(page: dict[str, Any]) -> Any:
        """Messages the projector could not decode, set aside on the dead-letter topic
        (`count` is all of them; `dead_letters` one page)."""
        with projections() as connection:
            found = read_dead_letters(connection)
        shown, links = page_of(found, page)
        return {"count": len(found), "dead_letters": shown}, links

    @blp.route("/audit/opportunities/<reference>/decisions")
    @allow(Role.AUDITOR)
    @blp.response(200, AuditedHistorySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def audited_decisions(reference: str) -> dict[str, Any]:
        """Each decision on an opportunity with its evidence and the rule set in force that
        day, as published: what an auditor needs to re-derive it."""
        with projections() as connection:
            decisions = decision_history(connection, reference)
            rules = {
                d.decided_on: rules_document_in_force(connection, d.decided_on) for d in decisions
            }
        if not decisions:
            raise NotFound("no such opportunity")
        return {
            "opportunity": reference,
            "decisions": [{**vars(d), "rules_in_force": rules[d.decided_on]} for d in decisions],
        }

    return blp
