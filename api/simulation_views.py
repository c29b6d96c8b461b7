"""What-if for channel managers: `POST /simulations` replays the recorded history under a
proposed rule set, as `ledger rules simulate` does; nothing is recorded."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from flask_smorest import Blueprint

from api.access import allow
from api.backends import ledger
from contracts.inputs.api_schemas import SimulationRequestSchema, SimulationSchema
from infra.roles import Role
from projections.simulation import simulate


def simulation_blueprint() -> Blueprint:
    blp = Blueprint("simulations", __name__, description="rule changes simulated on history")

    @blp.route("/simulations", methods=["POST"])
    @allow(Role.CHANNEL_MANAGER, Role.OPS)
    @blp.arguments(SimulationRequestSchema)
    @blp.response(200, SimulationSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def simulations(request: dict[str, Any]) -> Any:
        """Per partner, what would differ had the proposal been in force (default: from its
        own effective date): tier, grants, qualified revenue, margin given away."""
        rules = request["rules"]
        found = simulate(ledger(), rules, request["proposed_from"] or rules.effective_from)
        return _plain(asdict(found))

    return blp


def _plain(value: Any) -> Any:
    # Amounts as strings, as everywhere in the API: no client reads money through a float.
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
