"""Who is calling, and what their role lets them see.

Every request is authenticated before routing (``install_access_control``); only the OpenAPI
document is public. Every view then names the roles it admits (``allow``) and the app refuses
to start if one does not, so a view added later cannot be open by omission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, g, request

from api.problems import problem
from infra.roles import Role
from infra.tokens import TokenSource, authenticate

F = TypeVar("F", bound=Callable[..., Any])

READERS = (Role.OPS, Role.AUDITOR, Role.CHANNEL_MANAGER, Role.PARTNER)
STAFF = (Role.OPS, Role.AUDITOR, Role.CHANNEL_MANAGER)
# Views served by flask itself or flask-smorest, public by design.
PUBLIC_ENDPOINTS = frozenset({"static", "api-docs.openapi_json"})


@dataclass(frozen=True)
class Caller:
    token_id: str
    role: Role
    partner: str | None  # set for partner tokens only


def caller() -> Caller:
    found: Caller = g.caller
    return found


def partner_scope() -> str | None:
    """The partner a partner token is confined to; None for every other role."""
    current = caller()
    if current.role is not Role.PARTNER:
        return None
    if current.partner is None:  # refused when tokens load; never read as "unscoped"
        raise PermissionError(f"partner token {current.token_id} names no partner")
    return current.partner


def allow(*roles: Role) -> Callable[[F], F]:
    """Admit only callers with one of `roles`; anyone else gets 403 before input is read."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if caller().role not in roles:
                return _forbidden()
            return view(*args, **kwargs)

        guarded.allowed_roles = roles  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Serve without a token (for a future health or metrics view)."""
    view.allowed_roles = "public"  # type: ignore[attr-defined]
    return view


def install_access_control(app: Flask, tokens: TokenSource) -> None:
    unguarded = [
        name
        for name, view in app.view_functions.items()
        if name not in PUBLIC_ENDPOINTS and not hasattr(view, "allowed_roles")
    ]
    if unguarded:
        raise RuntimeError(f"views without an access rule: {', '.join(sorted(unguarded))}")

    @app.before_request
    def authenticate_caller() -> Response | None:
        view = app.view_functions.get(request.endpoint or "")
        if request.endpoint in PUBLIC_ENDPOINTS or getattr(view, "allowed_roles", None) == "public":
            return None
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            return _unauthenticated("send 'Authorization: Bearer <token>'")
        record = authenticate(tokens, credential.strip())
        if record is None:
            return _unauthenticated("the token is unknown or has been revoked")
        g.caller = Caller(record.token_id, record.role, record.partner)
        return None


def _unauthenticated(detail: str) -> Response:
    response = problem(401, "unauthenticated", "Unauthorized", detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="channel-ledger"'
    return response


def _forbidden() -> Response:
    return problem(
        403, "forbidden", "Forbidden", f"the {caller().role.value} role may not use this endpoint"
    )
