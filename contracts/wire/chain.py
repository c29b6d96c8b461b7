"""The hash chain that makes the published ledger tamper-evident, and its seals.

Every envelope names the event before it in the ledger's global order (`previous_position`)
and the SHA-256 of that event's message value exactly as it lies on Kafka (`previous_hash`).
The first event links to position 0 and a hash of zeros. Hashing the bytes on the wire, not
a re-serialisation, means an auditor needs no canonical JSON: any change to a stored value,
however small, changes the hash its successor recorded.

A chain alone cannot show that its newest events are genuine, since nothing links to them
yet. So after every acknowledged batch the relay publishes a seal on `<prefix>.chain`: the
position of the last event, how many events the chain holds up to it, and that event's hash.
An event after the last seal is "unsealed" and verification reports it.

Seals are unsigned. The relay also keeps an RFC 6962 Merkle log over the same events and
publishes signed checkpoints of it beside the seals (contracts.wire.merkle, .checkpoint): the
head carries the log's frontier so that a restarted relay continues the same tree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from marshmallow import RAISE, Schema, fields, post_load, validate

GENESIS_HASH = "0" * 64
SEAL_VERSION = 1
SEAL_KEY = b"chain"
SEAL_HEADERS = [("message-type", b"chain-seal"), ("content-type", b"application/json")]
HASH_PATTERN = r"^[0-9a-f]{64}$"


def event_hash(value: bytes) -> str:
    """The hash a successor records for a message value."""
    return hashlib.sha256(value).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """The newest event in the chain: where the next one links to, and how long the chain is."""

    position: int = 0
    count: int = 0
    hash: str = GENESIS_HASH
    # The Merkle log's frontier over these `count` events (contracts.wire.merkle.Frontier's
    # hashes); () for a head that does not track it (rebuilt by verify, or saved before the
    # log existed). The relay's encoder sets it once per batch, not per event.
    frontier: tuple[bytes, ...] = ()

    def after(self, position: int, value: bytes) -> ChainHead:
        """The head after one more event (without a frontier: see BatchEncoder)."""
        return ChainHead(position, self.count + 1, event_hash(value))

    @property
    def tracks_log(self) -> bool:
        return len(self.frontier) == self.count.bit_count()


GENESIS = ChainHead()


@dataclass(frozen=True)
class Seal:
    position: int
    count: int
    head_hash: str
    sealed_at: datetime


class SealSchema(Schema):
    class Meta:
        unknown = RAISE

    seal_version = fields.Integer(required=True, validate=validate.Equal(SEAL_VERSION))
    position = fields.Integer(required=True, validate=validate.Range(min=0))
    count = fields.Integer(required=True, validate=validate.Range(min=0))
    head_hash = fields.String(required=True, validate=validate.Regexp(HASH_PATTERN))
    sealed_at = fields.AwareDateTime(required=True)

    @post_load
    def make_seal(self, data: dict[str, Any], **_: Any) -> Seal:
        data.pop("seal_version")
        return Seal(**data)


_seal_schema = SealSchema()


def seal_value(head: ChainHead, sealed_at: datetime) -> bytes:
    """The message value of a seal on the chain's head."""
    return orjson.dumps(
        {
            "seal_version": SEAL_VERSION,
            "position": head.position,
            "count": head.count,
            "head_hash": head.hash,
            "sealed_at": sealed_at.isoformat(),
        }
    )


def load_seal(value: bytes) -> Seal:
    """Parse a seal; raises ValueError (marshmallow's ValidationError) naming what is wrong."""
    loaded: Seal = _seal_schema.load(json.loads(value))
    return loaded
