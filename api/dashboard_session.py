"""Who may see the dashboard, and how a browser proves it.

A browser cannot attach a bearer header to a page load, so the dashboard signs in once: its
login form takes an ops or auditor token (the same tokens as the API; a partner's is refused,
as the dashboard shows every partner) and answers with a session cookie that holds the token's
id, never the token. The cookie is signed with ``LEDGER_DASHBOARD_SECRET`` (else a random key
per process), HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it, so
no cross-site request rides on it), scoped to ``/dashboard`` and expires after
``SESSION_LIFETIME``. Each page looks the token up again, so revoking it
(``ledger tokens revoke``) ends its sessions at once.

The bearer check of ``api.access`` lets these views through as public: this module is their
access rule instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for
from flask.sansio.app import App

from api.access import Caller, public
from infra.roles import Role
from infra.settings import Settings
from infra.tokens import TokenRecord, TokenSource

F = TypeVar("F", bound=Callable[..., Any])

DASHBOARD_ROLES = (Role.OPS, Role.AUDITOR)
SESSION_LIFETIME = timedelta(hours=8)
COOKIE_PATH = "/dashboard"
SESSION_KEY = "token_id"  # the session holds the token's id, never the token


def configure_sessions(app: App, settings: Settings) -> None:
    app.secret_key = settings.dashboard_secret or secrets.token_bytes(32)
    app.config.update(
        SESSION_COOKIE_NAME="ledger_dashboard",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.dashboard_secure_cookie,
        SESSION_COOKIE_PATH=COOKIE_PATH,
        # Flask refuses a signed cookie older than this, whatever the browser keeps.
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # The lifetime counts from sign-in: the cookie is not re-signed on every page.
        SESSION_REFRESH_EACH_REQUEST=False,
    )


def sign_in(record: TokenRecord) -> None:
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = record.token_id


def sign_out() -> None:
    session.clear()


def may_see_dashboard(record: TokenRecord) -> bool:
    return record.role in DASHBOARD_ROLES and record.revoked is None


def session_caller(tokens: TokenSource) -> Caller | None:
    """The signed-in caller, if its token still exists, is not revoked and may see this."""
    token_id = session.get(SESSION_KEY)
    if token_id is None:
        return None
    record = next((r for r in tokens.records() if r.token_id == token_id), None)
    if record is None or not may_see_dashboard(record):
        return None
    return Caller(record.token_id, record.role, record.partner)


def signed_in(tokens: TokenSource) -> Callable[[F], F]:
    """Serve the view to a signed-in ops or auditor caller; send anyone else to the login."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            found = session_caller(tokens)
            if found is None:
                sign_out()
                return redirect(url_for("dashboard.login", next=request.path))
            g.caller = found
            return view(*args, **kwargs)

        return public(guarded)  # type: ignore[return-value]

    return decorate


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a dashboard path only, never another site."""
    if target and target.startswith(COOKIE_PATH) and "//" not in target and "\\" not in target:
        return target
    return url_for("dashboard.overview")
