"""Pages of the list endpoints, linked by an RFC 8288 `Link` header.

The body stays the JSON array it always was (one page of it); `page` and `per_page` (see
``contracts.inputs.api_schemas.PageQuerySchema``) choose the page, and every answer links its
`first` and `last` pages, and its `prev` and `next` ones where they exist, with the request's
other query parameters kept. The links are relative references, resolved against the request's
own URL (RFC 8288 section 3.2), so they hold behind a proxy that rewrites the host.

The read models are sliced after they are read: they are bounded by the program (about 120
partners, their registrations and reviews), and a page must be cut from the same ordered list
the unpaged query returns. Pages of a list that changes between two requests may overlap or
skip; the ETag (``api.etags``) tells a client the list changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from math import ceil
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import request

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def page_of(rows: Sequence[T], query: Mapping[str, Any]) -> tuple[list[T], dict[str, str]]:
    """The page of `rows` that `query` asks for, and the `Link` header that goes with it."""
    page, per_page = int(query["page"]), int(query["per_page"])
    last = max(1, ceil(len(rows) / per_page))
    start = (page - 1) * per_page
    return list(rows[start : start + per_page]), {"Link": link_header(page, last)}


def link_header(page: int, last: int) -> str:
    links = {"first": 1}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    links["last"] = last
    return ", ".join(f'<{_page_url(number)}>; rel="{rel}"' for rel, number in links.items())


def _page_url(number: int) -> str:
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != "page"]
    return f"{request.path}?{urlencode([*kept, ('page', str(number))])}"


def paginated(view: F) -> F:
    """Serve one page of the list `view` returns; `view` takes the loaded query first."""

    @wraps(view)
    def one_page(query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return page_of(view(query, *args, **kwargs), query)

    return one_page  # type: ignore[return-value]
