"""Benefits of protection over HTTP: ops and channel managers record the vendor's engineer days
drawn against a protection, as `ledger deal draw-days` does; a refused draw records nothing."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from api.access import allow
from api.backends import ledger
from api.command_views import history_url
from contracts.inputs.api_schemas import EngineerDaysDrawnSchema
from contracts.inputs.commands import DrawEngineerDaysSchema, draw_engineer_days
from domain.errors import UnknownOpportunity
from domain.ledger import EngineerDaysDrawn
from infra.roles import Role


def benefit_blueprint() -> Blueprint:
    blp = Blueprint("benefits", __name__, description="benefits of protection drawn")

    @blp.route("/opportunities/<reference>/engineer-days", methods=["POST"])
    @allow(Role.OPS, Role.CHANNEL_MANAGER)
    @blp.arguments(DrawEngineerDaysSchema)
    @blp.response(201, EngineerDaysDrawnSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def draw_engineer_days_view(draw: dict[str, Any], reference: str) -> Any:
        """Draw vendor pre-sales engineer days against the opportunity's protection (409 when
        none is in force, it is another partner's, or its grant has fewer days left).
        `Location` is the opportunity's history, with the protection drawn against."""
        try:
            drawn: EngineerDaysDrawn = ledger().consume_engineer_days(
                draw_engineer_days(reference, draw)
            )
        except UnknownOpportunity as error:
            # The opportunity is the resource the path names: missing is a 404, not a rule.
            raise NotFound(error.message) from None
        return drawn, {"Location": history_url(drawn.opportunity)}

    return blp
