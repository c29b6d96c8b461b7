"""Commands under an `Idempotency-Key` header: a retry with the same key and body gets the first
answer (with `Idempotent-Replayed: true`) and records nothing; another body under the same key is
a 409; a malformed key is a 400 naming the header. Without the header a command runs as always.
See ``infra.store.idempotency`` for how the key is recorded with the events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Response, request

from api.backends import backends
from api.problems import problem
from contracts.inputs.request_keys import MAX_REQUEST_KEY_LENGTH
from domain.receipts import Receipt
from infra.store.idempotency import (
    Answer,
    InvalidRequestKey,
    RequestKeys,
    command_request,
)

T = TypeVar("T")

IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_KEY,
    "required": False,
    "description": "The client's key for this request (a UUID, say). Retried with the same key "
    "and body, the command records nothing new and answers as it first did, with "
    f"`{REPLAYED}: true`; the same key with another body is a 409. Keys are kept "
    "LEDGER_REQUEST_RETENTION_HOURS (24) hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_REQUEST_KEY_LENGTH},
}


@dataclass(frozen=True)
class Once(Generic[T]):
    """What a command view hands over: run the command with a receipt, and its answer."""

    run: Callable[[Receipt[T] | None], T]
    answer: Callable[[T], Answer]
    location: str | None = None  # a 201's `Location`: where what it created is read


def answer_once(name: str, command: object, once: Once[Any], status: int) -> Response:
    try:
        keyed = command_request(request.headers.get(IDEMPOTENCY_KEY), name, command)
    except InvalidRequestKey as error:
        return invalid_key(str(error))
    found = backends()
    retention_s = found.settings.request_retention_hours * 3600
    answered = RequestKeys(found.ledger(), retention_s).run(keyed, once.run, once.answer)
    if status == 204:
        response = Response(status=204)
    else:
        response = Response(json.dumps(answered.answer), status, mimetype="application/json")
    if once.location is not None:
        response.headers["Location"] = once.location
    if answered.replayed:
        response.headers[REPLAYED] = "true"
    return response


def invalid_key(reason: str) -> Response:
    return problem(
        400,
        "invalid-input",
        "Invalid input",
        f"{IDEMPOTENCY_KEY}: {reason}",
        **{"invalid-params": [{"name": IDEMPOTENCY_KEY, "location": "header", "reason": reason}]},
    )
