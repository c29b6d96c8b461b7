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
    from api.app import close_app, create_app
    from infra.tokens import TokenError, token_source

    try:
        tokens = token_source(settings)
        tokens.records()  # a malformed token source is refused now, not at the first request
    except TokenError as error:
        raise InvalidInput(str(error)) from None
    app = create_app(settings, tokens)
    try:
        server = api_server(app, settings, args.host, args.port, args.threads)
        print(
            f"API on http://{args.host}:{args.port} (OpenAPI: /openapi.json); Ctrl-C stops",
            flush=True,
        )
        server.run()
    finally:
        close_app(app)
    return 0


def api_server(app: Any, settings: Settings, host: str, port: int, threads: int) -> Any:
    """The waitress server `ledger api serve` runs (port 0: a free one, for tests)."""
    import waitress

    # waitress buffers a whole body before the app sees it: its own limit refuses a larger
    # one from the Content-Length alone (a plain 413; the app answers problem details for
    # what reaches it).
    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=settings.api_max_body_bytes,
    )


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
