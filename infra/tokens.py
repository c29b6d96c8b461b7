"""Bearer tokens for the HTTP API: issued once, kept only as a hash, each with a role.

A token is 32 random bytes (``secrets.token_urlsafe``), so its SHA-256 is as hard to invert as
the token is to guess: a slow password hash (bcrypt, argon2) only protects low-entropy secrets
and would cost milliseconds on every request. Digests are compared in constant time, against
every stored entry, so neither the answer nor its timing depends on which entry matched.

Where tokens come from is configuration, read once at start-up: ``LEDGER_API_TOKENS`` (a JSON
list of hashed entries, read-only, for deployments that inject secrets through the
environment), else the file ``LEDGER_API_TOKENS_FILE`` (default ``<data dir>/api-tokens.json``),
which ``ledger tokens issue | revoke`` maintain and the API re-reads when it changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from contracts.inputs.commands import EnrollPartnerSchema
from infra.roles import Role
from infra.settings import Settings

TOKEN_BYTES = 32
ID_BYTES = 6


class TokenError(ValueError):
    """A token request or a token source that cannot be used; the message names the problem."""


@dataclass(frozen=True)
class TokenRecord:
    token_id: str
    sha256: str
    role: Role
    partner: str | None
    created: datetime
    revoked: datetime | None = None


class TokenEntrySchema(Schema):
    """One stored token, as kept in the file or in ``LEDGER_API_TOKENS``."""

    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{64}$", error="must be 64 lowercase hex digits"),
    )
    role = fields.Enum(Role, by_value=True, required=True)
    partner = fields.String(load_default=None, allow_none=True)
    created = fields.AwareDateTime(required=True)
    revoked = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def scoped_as_its_role_says(self, data: dict[str, Any], **_: Any) -> None:
        # A partner token without a partner would be read as unscoped: refuse the entry.
        try:
            check_partner_scope(data["role"], data.get("partner"))
        except TokenError as error:
            raise ValidationError(str(error), field_name="partner") from None

    @post_load
    def make_record(self, data: dict[str, Any], **_: Any) -> TokenRecord:
        return TokenRecord(
            data["id"],
            data["sha256"],
            data["role"],
            data["partner"],
            data["created"],
            data["revoked"],
        )


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def to_entry(record: TokenRecord) -> dict[str, Any]:
    return {
        "id": record.token_id,
        "sha256": record.sha256,
        "role": record.role.value,
        "partner": record.partner,
        "created": record.created.isoformat(),
        "revoked": record.revoked.isoformat() if record.revoked else None,
    }


def parse_entries(raw: str, origin: str) -> tuple[TokenRecord, ...]:
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise TokenError(f"{origin}: invalid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, list):
        raise TokenError(f"{origin}: must be a JSON list of token entries")
    try:
        records: list[TokenRecord] = TokenEntrySchema(many=True).load(document)
    except ValidationError as error:
        raise TokenError(f"{origin}: {_describe_entries(error)}") from None
    return tuple(records)


def _describe_entries(error: ValidationError) -> str:
    """``entry N: field: reason`` for each problem, entries counted from 0."""
    messages: dict[Any, Any] = error.normalized_messages()  # type: ignore[no-untyped-call]
    problems = []
    for index, fields_of_entry in sorted(messages.items(), key=lambda item: str(item[0])):
        if not isinstance(fields_of_entry, dict):
            problems.append(f"entry {index}: {fields_of_entry}")
            continue
        for name, reasons in sorted(fields_of_entry.items()):
            text = "; ".join(reasons) if isinstance(reasons, list) else str(reasons)
            problems.append(f"entry {index}: {name}: {text}")
    return "\n".join(problems)


class TokenSource(Protocol):
    def records(self) -> Sequence[TokenRecord]: ...


class StaticTokens:
    """Tokens fixed at start-up (from the environment, or built by a test or benchmark)."""

    def __init__(self, records: Sequence[TokenRecord]) -> None:
        self._records = tuple(records)

    def records(self) -> Sequence[TokenRecord]:
        return self._records


class TokenFile:
    """The JSON file of hashed tokens; re-read whenever it changes, so a revocation by the
    CLI takes effect on a running API at its next request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._records: tuple[TokenRecord, ...] = ()

    def records(self) -> Sequence[TokenRecord]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return ()
        if (stat.st_mtime_ns, stat.st_size) != self._seen:
            self._records = parse_entries(self.path.read_text(encoding="utf-8"), str(self.path))
            self._seen = (stat.st_mtime_ns, stat.st_size)
        return self._records

    def issue(self, role: Role, partner: str | None, now: datetime) -> tuple[TokenRecord, str]:
        """A new token and its stored record; the token itself is never stored."""
        check_partner_scope(role, partner)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._locked() as records:
            taken = {r.token_id for r in records}
            token_id = _new_id(taken)
            record = TokenRecord(token_id, digest(token), role, partner, now)
            self._write([*records, record])
        return record, token

    def revoke(self, token_id: str, now: datetime) -> TokenRecord:
        with self._locked() as records:
            found = [r for r in records if r.token_id == token_id]
            if not found:
                raise TokenError(f"id: no token {token_id!r} in {self.path}")
            if found[0].revoked is not None:
                return found[0]
            revoked = replace(found[0], revoked=now)
            self._write([revoked if r.token_id == token_id else r for r in records])
        return revoked

    @contextmanager
    def _locked(self) -> Iterator[tuple[TokenRecord, ...]]:
        # Two `ledger tokens issue` at once must not each rewrite the file without the other's.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._seen = None
            yield tuple(self.records())

    def _write(self, records: Sequence[TokenRecord]) -> None:
        # Written aside and renamed: the API never reads a half-written file.
        text = json.dumps([to_entry(r) for r in records], indent=2) + "\n"
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".api-tokens-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)


def check_partner_scope(role: Role, partner: str | None) -> None:
    if role is Role.PARTNER:
        if partner is None:
            raise TokenError("partner: required for a partner token")
        try:
            EnrollPartnerSchema().fields["code"].deserialize(partner)
        except ValidationError as error:
            raise TokenError(f"partner: {'; '.join(error.messages)}") from None
    elif partner is not None:
        raise TokenError(f"partner: only partner tokens are scoped to a partner, not {role.value}")


def _new_id(taken: set[str]) -> str:
    while True:
        token_id = f"tok-{secrets.token_hex(ID_BYTES)}"
        if token_id not in taken:
            return token_id


def authenticate(source: TokenSource, presented: str) -> TokenRecord | None:
    """The live record whose token was presented, or None (unknown or revoked)."""
    wanted = digest(presented)
    matched: TokenRecord | None = None
    for record in source.records():
        if hmac.compare_digest(record.sha256, wanted):
            matched = record
    if matched is None or matched.revoked is not None:
        return None
    return matched


def token_source(settings: Settings, environ: Mapping[str, str] | None = None) -> TokenSource:
    """The configured source: ``LEDGER_API_TOKENS`` if set, else the token file."""
    env = os.environ if environ is None else environ
    inline = env.get("LEDGER_API_TOKENS", "").strip()
    if inline:
        return StaticTokens(parse_entries(inline, "LEDGER_API_TOKENS"))
    return TokenFile(token_file_path(settings, env))


def token_file_path(settings: Settings, environ: Mapping[str, str]) -> Path:
    configured = environ.get("LEDGER_API_TOKENS_FILE", "").strip()
    return Path(configured) if configured else settings.data_dir / "api-tokens.json"
