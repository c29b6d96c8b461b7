"""How a write command records and answers: under `--request-id` once only, and with `--json` the
object the HTTP API answers (``contracts.inputs.command_answers``), so scripts need not parse prose.

A `--request-id` already answered prints its first answer again (and says so on stderr) and
records nothing; the same id with other arguments is refused (exit 1). The CLI and HTTP share the
keys: a command sent over HTTP with `Idempotency-Key: K` and retried as `--request-id K` is the
same request.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cli.errors import InvalidInput

if TYPE_CHECKING:
    from infra.settings import Settings

Answer = dict[str, Any]


def record(
    args: argparse.Namespace,
    settings: Settings,
    name: str,
    method: str,
    command: object,
    answer: Callable[[Any], Answer],
    render: Callable[[Answer], str],
    body: object = None,
) -> int:
    """Run `Ledger.<method>(command, receipt)` once per request id and print its answer.

    The request is `body` when given (the HTTP body, where the ledger takes less), else the
    command: the CLI and HTTP must digest the same thing for a key to be shared."""
    from functools import partial

    from cli.support import to_json_object
    from infra.store.event_store import open_ledger
    from infra.store.idempotency import InvalidRequestKey, RequestKeys, command_request

    try:
        request = command_request(args.request_id, name, command if body is None else body)
    except InvalidRequestKey as error:
        raise InvalidInput(f"request-id: {error}") from None
    ledger = open_ledger(settings)
    try:
        keys = RequestKeys(ledger, settings.request_retention_hours * 3600)
        answered = keys.run(request, partial(getattr(ledger, method), command), answer)
    finally:
        ledger.close()
    if answered.replayed:
        print(
            f"ledger: request {args.request_id} was already recorded; nothing new recorded",
            file=sys.stderr,
        )
    print(to_json_object(answered.answer) if args.json else render(answered.answer))
    return 0
