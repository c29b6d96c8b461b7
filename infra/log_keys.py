"""The Merkle log's keys: the relay's signing key and the verifier keys auditors trust.

The signing key is a signer key string as Go's golang.org/x/mod/sumdb/note writes it
(`PRIVATE+KEY+<name>+<hex id>+<base64>`), from LEDGER_LOG_SIGNING_KEY or from the file
LEDGER_LOG_SIGNING_KEY_FILE (default `<data dir>/log-signing.key`). On a laptop with neither,
the relay makes one in that file (readable by its owner only), so `make demo` signs its
checkpoints; production injects its own. Rotation: point the relay at a new key and add the
old key's verifier string to LEDGER_LOG_VERIFIER_KEYS, so checkpoints it signed stay
verifiable by their key id.
"""

from __future__ import annotations

import os
from pathlib import Path

from contracts.wire.signed_note import (
    ED25519,
    NoteError,
    Signer,
    Verifier,
    parse_signer,
    parse_verifier,
)
from infra.settings import Settings, SettingsError


def log_origin(settings: Settings) -> str:
    """The checkpoints' origin line, and the signing key's default name."""
    return settings.log_origin or f"channel-ledger/{settings.topic_prefix}"


def log_signer(settings: Settings, create: bool = False) -> Signer | None:
    """The relay's signer; with `create`, a new key is written to the key file if none exists."""
    if settings.log_signing_key:
        return _signer(settings.log_signing_key, "LEDGER_LOG_SIGNING_KEY")
    path = settings.log_signing_key_file
    if path.exists():
        return _signer(path.read_text(encoding="utf-8"), f"LEDGER_LOG_SIGNING_KEY_FILE ({path})")
    if not create:
        return None
    signer = Signer.generate(log_origin(settings))
    write_key_file(path, signer.encoded())
    return signer


def write_key_file(path: Path, encoded: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(encoded + "\n")


def parse_signer_file(path: Path) -> Signer:
    """A signer key of any type (a witness's too) from a file; SettingsError names the file."""
    try:
        encoded = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SettingsError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        return parse_signer(encoded)
    except NoteError as error:
        raise SettingsError(f"{path}: {error}") from None


def _signer(encoded: str, source: str) -> Signer:
    try:
        signer = parse_signer(encoded)
    except NoteError as error:
        raise SettingsError(f"{source}: {error}") from None
    if signer.kind != ED25519:
        raise SettingsError(f"{source}: the log signs with an Ed25519 key (type 0x01)")
    return signer


def trusted_log_keys(settings: Settings, given: list[str] | None = None) -> list[Verifier]:
    """The log keys a checkpoint may be signed by: the ones given, LEDGER_LOG_VERIFIER_KEYS
    (earlier, rotated keys) and the public half of the signing key when it is at hand."""
    keys = [parse_key(raw, "--key") for raw in given or []]
    keys += [parse_key(raw, "LEDGER_LOG_VERIFIER_KEYS") for raw in settings.log_verifier_keys]
    signer = log_signer(settings)
    if signer is not None:
        keys.append(signer.verifier)
    return [k for k in keys if k.kind == ED25519]


def parse_key(raw: str, source: str, kind: int = ED25519) -> Verifier:
    """A verifier key string, or a file holding one; SettingsError names the source."""
    text = raw.strip()
    path = Path(text)
    if "+" not in text and path.is_file():
        text = path.read_text(encoding="utf-8").strip()
    try:
        verifier = parse_verifier(text)
    except NoteError as error:
        raise SettingsError(f"{source}: {error}") from None
    if verifier.kind != kind:
        wanted = "a log key (type 0x01)" if kind == ED25519 else "a witness key (type 0x04)"
        raise SettingsError(f"{source}: {verifier.name} is not {wanted}")
    return verifier
