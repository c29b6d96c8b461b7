"""Partner status and tier history. A partner token sees its own partner and nothing else."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from api.access import READERS, allow, partner_scope
from api.backends import projections
from api.pagination import paginated
from contracts.inputs.api_schemas import (
    AsOfQuerySchema,
    NoticeSchema,
    PageQuerySchema,
    PartnerQuerySchema,
    PartnerStatusSchema,
    TierAtRiskSchema,
    TierChangeSchema,
    TierChangesQuerySchema,
    TransitionPlanSchema,
)
from projections.models.notices import notices_for
from projections.models.tier_history import tier_history
from projections.models.tier_reviews import tiers_at_risk
from projections.models.transition_plans import transition_plans
from projections.partner_statuses import PartnerStatusView, partner_statuses


def partner_blueprint() -> Blueprint:
    blp = Blueprint("partners", __name__, description="partner status and tier history")

    @blp.route("/partners")
    @allow(*READERS)
    @blp.arguments(PartnerQuerySchema, location="query")
    @blp.response(200, PartnerStatusSchema(many=True))
    @paginated
    def list_partners(query: dict[str, Any]) -> list[PartnerStatusView]:
        """Partners with their status as of a date, filtered by tier and specialization.

        A partner token lists its own partner only.
        """
        tier, specialization = query.get("tier"), query.get("specialization")
        with projections() as connection:
            return partner_statuses(
                connection,
                query.get("as_of") or date.today(),
                partner_scope(),
                tier.value if tier else None,
                specialization.value if specialization else None,
            )

    @blp.route("/partners/<code>")
    @allow(*READERS)
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, PartnerStatusSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def one_partner(query: dict[str, Any], code: str) -> Any:
        """One partner's status as of a date."""
        scope = partner_scope()
        found: list[PartnerStatusView] = []
        if scope is None or scope == code:
            with projections() as connection:
                found = partner_statuses(connection, query.get("as_of") or date.today(), code)
        if not found:
            # The same answer whether the partner is missing or belongs to someone else.
            raise NotFound("no such partner")
        return found[0]

    @blp.route("/tier-changes")
    @allow(*READERS)
    @blp.arguments(TierChangesQuerySchema, location="query")
    @blp.response(200, TierChangeSchema(many=True))
    @paginated
    def tier_changes(query: dict[str, Any]) -> Any:
        """Tier changes with their evidence, for one partner or all.

        A partner token sees its own partner's changes only.
        """
        scope, wanted = partner_scope(), query.get("partner")
        if scope is not None and wanted not in (None, scope):
            return []
        with projections() as connection:
            return tier_history(connection, scope or wanted)

    @blp.route("/notices")
    @allow(*READERS)
    @blp.arguments(TierChangesQuerySchema, location="query")
    @blp.response(200, NoticeSchema(many=True))
    @paginated
    def notices(query: dict[str, Any]) -> Any:
        """Notices `ledger sweep` issued (protection or certification expiring, downgrade
        pending), for one partner or all, as published on `<prefix>.notice`.

        A partner token sees its own partner's notices only.
        """
        scope, wanted = partner_scope(), query.get("partner")
        if scope is not None and wanted not in (None, scope):
            return []
        with projections() as connection:
            return notices_for(connection, scope or wanted)

    @blp.route("/tiers-at-risk")
    @allow(*READERS)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, TierAtRiskSchema(many=True))
    @paginated
    def at_risk(_page: dict[str, Any]) -> Any:
        """Partners whose last review announced a downgrade or found the tier held only by a
        transition plan. A partner token sees its own partner only."""
        with projections() as connection:
            return _own(tiers_at_risk(connection))

    @blp.route("/transition-plans")
    @allow(*READERS)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, TransitionPlanSchema(many=True))
    @paginated
    def plans(_page: dict[str, Any]) -> Any:
        """Legacy partners' transition plans: floor, due date, what they lacked, milestones.
        A partner token sees its own plan only."""
        with projections() as connection:
            return _own(transition_plans(connection))

    return blp


def _own(rows: list[Any]) -> list[Any]:
    scope = partner_scope()
    return rows if scope is None else [r for r in rows if r.partner == scope]
