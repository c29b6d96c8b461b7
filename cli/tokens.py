"""`ledger tokens issue | revoke | list`: bearer tokens for the HTTP API."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cli.declare import choices, command, noun
from cli.errors import InvalidInput
from infra.roles import Role

if TYPE_CHECKING:
    from infra.settings import Settings
    from infra.tokens import TokenFile


def issue(args: argparse.Namespace, settings: Settings) -> int:
    from infra.tokens import TokenError

    try:
        role = Role(args.role)
    except ValueError:
        raise InvalidInput(f"role: must be {choices(Role)}") from None
    try:
        record, token = _token_file(settings).issue(role, args.partner, _now())
    except TokenError as error:
        raise InvalidInput(str(error)) from None
    if args.json:
        from cli.support import to_json_object
        from infra.tokens import to_entry

        # The record as `tokens list` shows it, plus the secret this one answer ever carries.
        shown = {k: v for k, v in to_entry(record).items() if k not in ("sha256", "revoked")}
        print(to_json_object({**shown, "token": token}))
        return 0
    scope = f" for partner {record.partner}" if record.partner else ""
    # Only the token on stdout, so that `TOKEN=$(ledger tokens issue ...)` captures exactly it.
    print(
        f"issued {record.token_id} ({record.role.value}{scope}); the token, shown only once:",
        file=sys.stderr,
    )
    print(token)
    return 0


def revoke(args: argparse.Namespace, settings: Settings) -> int:
    from infra.tokens import TokenError

    try:
        record = _token_file(settings).revoke(args.id, _now())
    except TokenError as error:
        raise InvalidInput(str(error)) from None
    print(f"revoked {record.token_id} at {record.revoked}")
    return 0


def list_tokens(args: argparse.Namespace, settings: Settings) -> int:
    from infra.output import table, to_json
    from infra.tokens import TokenError, to_entry, token_source

    try:
        records = token_source(settings).records()
    except TokenError as error:
        raise InvalidInput(str(error)) from None
    # The digests stay out of sight too: nothing listed helps anyone present a token.
    shown = [{k: v for k, v in to_entry(r).items() if k != "sha256"} for r in records]
    if args.json:
        print(to_json(shown))
    elif not shown:
        print("no API tokens issued")
    else:
        headers = ["id", "role", "partner", "created", "revoked"]
        print(table(headers, [[s[h] or "-" for h in headers] for s in shown]))
    return 0


def _token_file(settings: Settings) -> TokenFile:
    from infra.tokens import TokenFile, token_source

    source = token_source(settings)
    if not isinstance(source, TokenFile):
        raise InvalidInput(
            "LEDGER_API_TOKENS: tokens come from the environment and cannot be issued or "
            "revoked here; unset it to use the token file (LEDGER_API_TOKENS_FILE)"
        )
    return source


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def declare(commands: Any) -> None:
    tokens = noun(commands, "tokens", "bearer tokens for the HTTP API")
    p = command(
        tokens,
        "issue",
        issue,
        help="issue a token: only the token on stdout (once; only its hash is kept)",
        example="tokens issue --role partner --partner antemeta",
        json=True,
    )
    p.add_argument("--role", required=True, help=choices(Role))
    p.add_argument("--partner", help="the partner a partner token is scoped to")
    p = command(
        tokens,
        "revoke",
        revoke,
        help="revoke a token by its id (see `ledger tokens list`)",
        example="tokens revoke 3f2c9a71",
    )
    p.add_argument("id")
    command(
        tokens,
        "list",
        list_tokens,
        help="issued tokens: ids, roles, dates (never the secrets)",
        example="tokens list --json",
        json=True,
    )
