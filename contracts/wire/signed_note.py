"""C2SP signed notes (c2sp.org/signed-note) with Ed25519, and tlog-cosignature/v1 cosignatures.

A note is a text ending in a newline, a blank line, then signature lines
"— <key name> <base64(key id || signature)>". The key id is the first four bytes of
SHA-256(key name || 0x0A || type || public key), type 0x01 for a log's Ed25519 signature and
0x04 for a witness's timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature), which signs
"cosignature/v1\\ntime <t>\\n" followed by the note text and carries key id || u64 big-endian
t || signature.

Keys travel in the strings Go's golang.org/x/mod/sumdb/note uses: a verifier key is
"<name>+<hex key id>+<base64(type || public key)>", a signer key
"PRIVATE+KEY+<name>+<hex key id>+<base64(type || 32-byte seed)>". Per the spec a verifier
ignores signatures from keys it does not know (name and id both must match) and rejects a
note whose known-key signature fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
SIGNER_PREFIX = "PRIVATE+KEY+"
# The spec asks verifiers to accept at least 16 and to bound the number they read.
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A malformed note or key string; the message says what is wrong."""


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


def check_key_name(name: str) -> str:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    key_id: bytes
    blob: bytes  # what follows the key id

    def line(self) -> str:
        encoded = base64.b64encode(self.key_id + self.blob).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signature(self, signature: Signature) -> Note:
        return Note(self.text, (*self.signatures, signature))


@dataclass(frozen=True)
class Verifier:
    name: str
    kind: int
    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, _raw_public(self.public_key))

    def encoded(self) -> str:
        raw = base64.b64encode(bytes([self.kind]) + _raw_public(self.public_key)).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"

    def matches(self, signature: Signature) -> bool:
        return signature.name == self.name and signature.key_id == self.key_id

    def verify(self, text: str, signature: Signature) -> bool:
        """Whether the signature (of this key: see `matches`) holds over the note text."""
        message, raw = text.encode(), signature.blob
        if self.kind == COSIGNATURE_V1:
            if len(raw) != 8 + 64:
                return False
            (timestamp,) = struct.unpack(">Q", raw[:8])
            message = cosigned_message(text, timestamp)
            raw = raw[8:]
        elif len(raw) != 64:
            return False
        try:
            self.public_key.verify(raw, message)
        except InvalidSignature:
            return False
        return True


def cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


@dataclass(frozen=True)
class Signer:
    name: str
    kind: int
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str, kind: int = ED25519) -> Signer:
        return cls(check_key_name(name), kind, Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.kind, self.private_key.public_key())

    def encoded(self) -> str:
        seed = self.private_key.private_bytes_raw()
        raw = base64.b64encode(bytes([self.kind]) + seed).decode()
        return f"{SIGNER_PREFIX}{self.name}+{self.verifier.key_id.hex()}+{raw}"

    def sign(self, text: str, timestamp: int | None = None) -> Signature:
        """A signature line's content over the note text (a cosignature needs `timestamp`)."""
        if self.kind == COSIGNATURE_V1:
            if timestamp is None or not 0 <= timestamp < 2**63:
                raise NoteError("a cosignature needs a timestamp between 0 and 2^63-1")
            blob = struct.pack(">Q", timestamp) + self.private_key.sign(
                cosigned_message(text, timestamp)
            )
        else:
            blob = self.private_key.sign(text.encode())
        return Signature(self.name, self.verifier.key_id, blob)


def _split_key(encoded: str, what: str) -> tuple[str, bytes, int, bytes]:
    parts = encoded.strip().split("+", 2)  # base64 may hold "+"; the name and id cannot
    if len(parts) != 3:
        raise NoteError(f"{what} must be <name>+<hex key id>+<base64 key>, not {encoded!r}")
    name, hex_id, raw = parts
    check_key_name(name)
    try:
        wanted_id = bytes.fromhex(hex_id)
        material = base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        raise NoteError(f"{what} {name!r}: the key id or key is not hex / base64") from None
    if len(wanted_id) != 4 or len(material) != 33 or material[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError(
            f"{what} {name!r}: expected a 4-byte id and an Ed25519 key (type 0x01 or 0x04)"
        )
    return name, wanted_id, material[0], material[1:]


def parse_verifier(encoded: str) -> Verifier:
    name, wanted_id, kind, raw = _split_key(encoded, "verifier key")
    verifier = Verifier(name, kind, Ed25519PublicKey.from_public_bytes(raw))
    if verifier.key_id != wanted_id:
        raise NoteError(f"verifier key {name!r}: its key id does not match its name and key")
    return verifier


def parse_signer(encoded: str) -> Signer:
    encoded = encoded.strip()
    if not encoded.startswith(SIGNER_PREFIX):
        raise NoteError(f"a signer key starts with {SIGNER_PREFIX}")
    name, wanted_id, kind, seed = _split_key(encoded[len(SIGNER_PREFIX) :], "signer key")
    signer = Signer(name, kind, Ed25519PrivateKey.from_private_bytes(seed))
    if signer.verifier.key_id != wanted_id:
        raise NoteError(f"signer key {name!r}: its key id does not match its name and key")
    return signer


def parse_note(raw: bytes | str) -> Note:
    """Split a signed note into its text and signature lines (checked for form, not trust)."""
    try:
        note = raw.decode() if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise NoteError("a note must be UTF-8") from None
    if any(c < " " and c != "\n" for c in note):
        raise NoteError("a note must hold no control characters but newlines")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("a note is a text, a blank line and signature lines, each ending in \\n")
    text, block = note[: split + 1], note[split + 2 :]
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note with more than {MAX_SIGNATURES} signatures is refused")
    return Note(text, tuple(_parse_signature(line) for line in lines))


def _parse_signature(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"signature line {line!r} must start with an em dash and a space")
    name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    check_key_name(name)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise NoteError(f"signature by {name!r} is not base64") from None
    if len(raw) < 5:
        raise NoteError(f"signature by {name!r} is too short")
    return Signature(name, raw[:4], raw[4:])


@dataclass(frozen=True)
class Verified:
    """What a note's signatures say about it, given the keys one trusts."""

    signed_by: tuple[Verifier, ...]  # known keys whose signature holds
    failed: tuple[Verifier, ...]  # known keys whose signature does not hold
    unknown: tuple[Signature, ...]  # signatures by keys not known


def check_signatures(note: Note, verifiers: list[Verifier]) -> Verified:
    signed, failed, unknown = [], [], []
    for signature in note.signatures:
        known = [v for v in verifiers if v.matches(signature)]
        if not known:
            unknown.append(signature)
        elif any(v.verify(note.text, signature) for v in known):
            signed.append(known[0])
        else:
            failed.append(known[0])
    return Verified(tuple(signed), tuple(failed), tuple(unknown))
