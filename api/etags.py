"""ETags on the API's reads, derived from the projection's position, and 304 Not Modified.

What a read returns is a function of the projections, and the projections of the positions the
projector stored with them (rows and positions commit in one transaction): the same positions,
request and caller give the same body. So a GET's ETag is a digest of the stored positions, the
path and query, who asks (a partner sees its own share of a list) and today's date (the
default `as_of`). The positions are read before the view and again after it: if the projector
committed in between, the body may mix both states, and it goes out without an ETag.

`If-None-Match` is compared once the view has answered 200, never before: a 304 for a
resource the caller may not see, or that does not exist, would tell it something a 404 hides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import date

from flask import Flask, Response, g, request

from api.access import caller
from api.backends import projections
from api.problems import UNAVAILABLE
from projections.schema import stored_positions

Positions = list[tuple[str, str, int, int]]


def install_etags(app: Flask, blueprints: Collection[str]) -> None:
    """Tag the 200 answers of the GET operations of `blueprints` (the API's, not the pages')."""

    @app.before_request
    def note_position() -> None:
        if request.method == "GET" and request.blueprint in blueprints:
            g.projection_position = _positions()

    @app.after_request
    def tag(response: Response) -> Response:
        before: Positions | None = g.pop("projection_position", None)
        if before is None or response.status_code != 200:
            return response
        try:
            after = _positions()
        except UNAVAILABLE:
            return response  # the answer is already made; only its tag is lost
        if after != before:
            return response
        etag = entity_tag(before)
        response.set_etag(etag)
        # Revalidate every time (cheap: a 304), and never share one caller's answer with another.
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Authorization")
        if request.if_none_match.contains_weak(etag):
            return _not_modified(response)
        return response


def entity_tag(positions: Positions) -> str:
    current = caller()
    identity = {
        "positions": positions,
        "request": request.full_path,
        "role": current.role.value,
        "partner": current.partner,
        "today": date.today().isoformat(),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]


def _positions() -> Positions:
    with projections() as connection:
        return stored_positions(connection)


def _not_modified(response: Response) -> Response:
    # RFC 9110 15.4.5: a 304 carries the validators and caching headers a 200 would have.
    unchanged = Response(status=304)
    for name in ("ETag", "Cache-Control", "Vary"):
        unchanged.headers[name] = response.headers[name]
    return unchanged
