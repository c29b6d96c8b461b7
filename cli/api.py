"""`ledger api serve`: the commands and queries over HTTP, served by waitress."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.declare import command, noun
from cli.errors import InvalidInput

if TYPE_CHECKING:
    from infra.settings import Settings

DEFAULT_THREADS = 8


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import waitress

    from api.app import close_app, create_app
    from infra.tokens import TokenError, token_source

    try:
        tokens = token_source(settings)
        tokens.records()  # a malformed token source is refused now, not at the first request
    except TokenError as error:
        raise InvalidInput(str(error)) from None
    app = create_app(settings, tokens)
    print(
        f"API on http://{args.host}:{args.port} (OpenAPI: /openapi.json); Ctrl-C stops",
        flush=True,
    )
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads)
    finally:
        close_app(app)
    return 0


def declare(commands: Any) -> None:
    api = noun(commands, "api", "the HTTP API")
    p = command(
        api,
        "serve",
        serve,
        help="serve the commands and queries over HTTP (bearer tokens: `ledger tokens issue`)",
        example="api serve --host 127.0.0.1 --port 8080",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS)
