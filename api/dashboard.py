"""The ops dashboard: a read-only page over the projections and the pipeline's state.

`/dashboard` shows partners by tier and specialization, exclusivity decisions per month (a
server-drawn SVG chart), protections expiring soon, tiers at risk (a downgrade announced or a
tier held only by a transition plan), relay and consumer lag and dead letters;
`/dashboard/opportunities/<reference>` one opportunity's decisions and quotes, and from each
decision the statement its partner is given (`.../statements/<partner>`). HTML rendered
on the server; no script runs, and the Content-Security-Policy says so. Sign-in: see
``api.dashboard_session``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from api.access import public
from api.backends import ledger, projections
from api.dashboard_chart import decisions_chart
from api.dashboard_queries import decisions_per_month, recent_decisions, specializations_by_tier
from api.dashboard_session import (
    configure_sessions,
    may_see_dashboard,
    safe_next,
    sign_in,
    sign_out,
    signed_in,
)
from api.metrics import pipeline_probe
from infra.audit.statement import NoStatement, statement_for
from infra.settings import Settings
from infra.tokens import TokenSource, authenticate
from projections.models.exclusivity_decisions import (
    decision_counts,
    decision_history,
    expiring_registrations,
    latest_decision_date,
    most_contested_opportunity,
)
from projections.models.partner_status import partners_per_tier
from projections.models.quotes import quotes_for
from projections.models.specializations import specialized_partners
from projections.models.tier_reviews import tiers_at_risk

STATIC = Path(__file__).parent / "static"
EXPIRING_WITHIN_DAYS = 30
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def dashboard_blueprint(settings: Settings, tokens: TokenSource) -> Blueprint:
    blp = Blueprint("dashboard", __name__, template_folder="templates")
    blp.record_once(lambda state: configure_sessions(state.app, settings))
    blp.after_request(_secure)
    require_session = signed_in(tokens)

    @blp.route("/dashboard/login", methods=["GET", "POST"])
    @public
    def login() -> tuple[str, int] | BaseResponse:
        """The token form; a good ops or auditor token opens a session."""
        if request.method == "GET":
            return render_template("dashboard/login.html", error=None), 200
        record = authenticate(tokens, request.form.get("token", "").strip())
        if record is None:
            return _refused("the token is unknown or has been revoked", 401)
        if not may_see_dashboard(record):
            return _refused(
                f"the {record.role.value} role may not see the dashboard: it shows every partner",
                403,
            )
        sign_in(record)
        return redirect(safe_next(request.args.get("next")))

    @blp.route("/dashboard/logout", methods=["POST"])
    @public
    def logout() -> BaseResponse:
        sign_out()
        return redirect(url_for("dashboard.login"))

    @blp.route("/dashboard/dashboard.css")
    @public
    def stylesheet() -> Response:
        return Response((STATIC / "dashboard.css").read_bytes(), mimetype="text/css")

    @blp.route("/dashboard")
    @require_session
    def overview() -> str:
        with projections() as connection:
            as_of = _as_of() or latest_decision_date(connection) or date.today()
            roster = specialized_partners(connection, as_of)
            page = {
                "as_of": as_of,
                "tiers": partners_per_tier(connection),
                "specializations": specializations_by_tier(connection, roster),
                "chart": decisions_chart(decisions_per_month(connection)),
                "counts": decision_counts(connection),
                "expiring": expiring_registrations(connection, as_of, EXPIRING_WITHIN_DAYS),
                "within": EXPIRING_WITHIN_DAYS,
                "recent": recent_decisions(connection),
                "contested": most_contested_opportunity(connection),
                # What GET /tiers-at-risk serves: the page is for roles that see every partner.
                "at_risk": tiers_at_risk(connection),
            }
        return render_template("dashboard/overview.html", status=pipeline_probe().status(), **page)

    @blp.route("/dashboard/opportunities")
    @require_session
    def find_opportunity() -> BaseResponse:
        reference = request.args.get("reference", "").strip()
        if not reference:
            return redirect(url_for("dashboard.overview"))
        return redirect(url_for("dashboard.opportunity", reference=reference))

    @blp.route("/dashboard/opportunities/<reference>")
    @require_session
    def opportunity(reference: str) -> tuple[str, int]:
        with projections() as connection:
            decisions = decision_history(connection, reference)
            quotes = quotes_for(connection, reference) if decisions else []
        page = render_template(
            "dashboard/opportunity.html", reference=reference, decisions=decisions, quotes=quotes
        )
        return page, 200 if decisions else 404

    @blp.route("/dashboard/opportunities/<reference>/statements/<partner>")
    @require_session
    def statement(reference: str, partner: str) -> tuple[str, int]:
        """What GET /opportunities/{reference}/statement tells the partner, as it reads it."""
        try:
            found = statement_for(ledger(), reference, partner)
        except NoStatement:
            found = None
        page = render_template(
            "dashboard/statement.html", reference=reference, partner=partner, statement=found
        )
        return page, 200 if found else 404

    return blp


def _as_of() -> date | None:
    raw = request.args.get("as_of")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description="as_of must be a date, YYYY-MM-DD")


def _refused(reason: str, status: int) -> tuple[str, int]:
    return render_template("dashboard/login.html", error=reason), status


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
