"""Benefits of protection over HTTP: ops and channel managers record the vendor's engineer days
drawn against a protection, as `ledger deal draw-days` does; a refused draw records nothing.
Like the commands, it takes an `Idempotency-Key` header (``api.idempotent``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from api.access import allow
from api.backends import ledger
from api.command_views import history_url
from api.idempotent import IDEMPOTENCY_PARAMETER, Once, answer_once
from contracts.inputs import command_answers as answers
from contracts.inputs.api_schemas import EngineerDaysDrawnSchema
from contracts.inputs.commands import DrawEngineerDaysSchema, draw_engineer_days
from domain.errors import UnknownOpportunity
from infra.roles import Role


def benefit_blueprint() -> Blueprint:
    blp = Blueprint("benefits", __name__, description="benefits of protection drawn")

    @blp.route("/opportunities/<reference>/engineer-days", methods=["POST"])
    @allow(Role.OPS, Role.CHANNEL_MANAGER)
    @blp.arguments(DrawEngineerDaysSchema)
    @blp.response(201, EngineerDaysDrawnSchema)
    @blp.doc(parameters=[IDEMPOTENCY_PARAMETER])
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def draw_engineer_days_view(draw: dict[str, Any], reference: str) -> Response:
        """Draw vendor pre-sales engineer days against the opportunity's protection (409 when
        none is in force, it is another partner's, or its grant has fewer days left).
        `Location` is the opportunity's history, with the protection drawn against."""
        command = draw_engineer_days(reference, draw)
        once = Once(
            partial(ledger().consume_engineer_days, command),
            answers.engineer_days,
            history_url(reference),
        )
        try:
            return answer_once("draw-engineer-days", command, once, 201)
        except UnknownOpportunity as error:
            # The opportunity is the resource the path names: missing is a 404, not a rule.
            raise NotFound(error.message) from None

    return blp
