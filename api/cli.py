"""The `ledger` console script: every infra command, plus `ledger api serve`.

The entry point lives here because the API sits above infra in the layering: infra's parser
takes the API's commands as an extension and never imports this package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import waitress

from api.app import close_app, create_app
from infra import cli as infra_cli
from infra.cli_support import InvalidInput
from infra.settings import Settings
from infra.tokens import TokenError, token_source

DEFAULT_THREADS = 8


def serve(args: argparse.Namespace, settings: Settings) -> int:
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


def add_api_commands(commands: Any) -> None:
    api = commands.add_parser("api", help="the HTTP API").add_subparsers(
        dest="api_command", required=True
    )
    p = api.add_parser(
        "serve",
        help="serve the commands and queries over HTTP (bearer tokens: `ledger tokens issue`)",
        epilog="example: ledger api serve --host 127.0.0.1 --port 8080",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    p.set_defaults(handler=serve)


def main(argv: Sequence[str] | None = None) -> int:
    return infra_cli.main(argv, extensions=[add_api_commands])


if __name__ == "__main__":
    sys.exit(main())
