"""Checkpoints of the Merkle log in the C2SP tlog-checkpoint format, as signed notes.

The note text is the origin line, the tree size in decimal, the root hash in base64, each
ending in a newline (c2sp.org/tlog-checkpoint); the relay signs it with its Ed25519 key
(contracts.wire.signed_note) and publishes it on `<prefix>.chain` after every acknowledged
batch, beside the batch's seal.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from contracts.wire.merkle import HASH_SIZE
from contracts.wire.signed_note import Note, NoteError, Signer, parse_note

CHECKPOINT_KEY = b"checkpoint"
CHECKPOINT_HEADERS = [
    ("message-type", b"checkpoint"),
    ("content-type", b"text/plain; charset=utf-8"),
]
_SIZE = re.compile(r"^(0|[1-9][0-9]{0,19})$")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "".join(line + "\n" for line in (*lines, *self.extensions))


def parse_checkpoint(text: str) -> Checkpoint:
    """A checkpoint from a note's text; raises NoteError naming the line that is wrong."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint is an origin, a size and a root hash, one per line")
    origin, size, root, *extensions = lines[:-1]
    if not origin:
        raise NoteError("the checkpoint's origin line is empty")
    if not _SIZE.match(size) or int(size) >= 2**64:
        raise NoteError(f"the checkpoint's size {size!r} is not a decimal number")
    try:
        hashed = base64.b64decode(root, validate=True)
    except binascii.Error:
        hashed = b""
    if len(hashed) != HASH_SIZE:
        raise NoteError(f"the checkpoint's root hash {root!r} is not 32 bytes in base64")
    if any(not line for line in extensions):
        raise NoteError("a checkpoint's extension lines must not be empty")
    return Checkpoint(origin, int(size), hashed, tuple(extensions))


def signed_checkpoint(checkpoint: Checkpoint, signer: Signer) -> bytes:
    """The note the relay publishes: the checkpoint with the log's signature."""
    text = checkpoint.text()
    return Note(text, (signer.sign(text),)).render().encode()


@dataclass(frozen=True)
class CheckpointNote:
    note: Note
    checkpoint: Checkpoint


def load_checkpoint_note(raw: bytes | str) -> CheckpointNote:
    note = parse_note(raw)
    return CheckpointNote(note, parse_checkpoint(note.text))
