"""Commands run once per request key: a retry gets the first answer and records nothing new.

`RequestKeys.run` looks the key up first; a key already answered is replayed (same body) or
refused (another body, `RequestKeyReused`). Otherwise the command runs with a receipt
(``domain.receipts``) that the event store records with the command's events, atomically. A
concurrent duplicate loses at commit (``RequestAlreadyRecorded``) or, having raced into a
business rule the first one's events now break, finds the key on its way out: either way it
gets the first answer. A command that fails records no key, so a retry of it is decided afresh.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date
from enum import Enum
from typing import Any, Protocol, TypeVar, cast

from contracts.inputs.request_keys import request_key_problem
from domain.errors import DomainError
from domain.ledger import ConcurrentUpdates, Ledger
from domain.receipts import Receipt
from infra.store.request_log import RecordedRequest, RequestAlreadyRecorded

T = TypeVar("T")
Answer = dict[str, Any]


class InvalidRequestKey(ValueError):
    """The key is malformed (empty, too long, not printable ASCII); nothing was run."""


class RequestKeyReused(DomainError):
    """The key was first used with another command or body: the retry is not that request."""

    rule = "request-key-names-one-request"


class RequestLog(Protocol):
    def select_request(self, key: str) -> RecordedRequest | None: ...


@dataclass(frozen=True)
class CommandRequest:
    """A caller's key for one command, and the digest of what it asked."""

    key: str
    body_digest: str


@dataclass(frozen=True)
class Answered:
    answer: Answer
    replayed: bool  # True: the key had been answered before; nothing was recorded this time


def command_request(key: str | None, command_name: str, command: object) -> CommandRequest | None:
    """The request for `command` under `key` (None: no key, the command runs as it always did)."""
    if key is None:
        return None
    problem = request_key_problem(key)
    if problem is not None:
        raise InvalidRequestKey(problem)
    return CommandRequest(key, body_digest(command_name, command))


def body_digest(command_name: str, command: object) -> str:
    """SHA-256 of the command's name and its validated fields as canonical JSON: the same
    command from the CLI or over HTTP, in any field order, has the same digest."""
    canonical = json.dumps(
        {"command": command_name, "body": _plain(command)},
        sort_keys=True,
        separators=(",", ":"),
        default=_scalar,
    )
    return "sha-256:" + hashlib.sha256(canonical.encode()).hexdigest()


class RequestKeys:
    """Runs commands of one ledger under request keys kept for `retention_s` seconds."""

    def __init__(
        self, ledger: Ledger, retention_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.ledger = ledger
        self.log = cast(RequestLog, ledger.recorder)
        self.retention_s = retention_s
        self.clock = clock

    def run(
        self,
        request: CommandRequest | None,
        command: Callable[[Receipt[T] | None], T],
        answer: Callable[[T], Answer],
    ) -> Answered:
        """Run `command` (given the receipt to pass the ledger) and answer with `answer`."""
        if request is None:
            return Answered(_round_trip(answer(command(None))), replayed=False)
        earlier = self._replay(request)
        if earlier is not None:
            return earlier
        now = self.clock()
        recorded: list[str] = []

        def receipt(result: T) -> RecordedRequest:
            recorded.append(json.dumps(answer(result)))
            return RecordedRequest(
                request.key, request.body_digest, recorded[-1], now, now + self.retention_s
            )

        try:
            command(receipt)
        except (RequestAlreadyRecorded, DomainError, ConcurrentUpdates):
            earlier = self._replay(request)
            if earlier is None:
                raise
            return earlier
        return Answered(json.loads(recorded[-1]), replayed=False)

    def _replay(self, request: CommandRequest) -> Answered | None:
        found = self.log.select_request(request.key)
        if found is None or found.expires_at <= self.clock():
            return None
        if found.body_digest != request.body_digest:
            raise RequestKeyReused(
                f"request key {request.key!r} was first used for another command or body; "
                "use a new key for a new request"
            )
        return Answered(json.loads(found.answer), replayed=True)


def _round_trip(answer: Answer) -> Answer:
    """The answer as a replay will give it: through JSON, so both are the same value."""
    loaded: Answer = json.loads(json.dumps(answer))
    return loaded


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # Decimal, UUID: their exact text
