"""The JSON Schema of the proofs `ledger audit prove` and `ledger audit consistency` write
(contracts.wire.proofs), published as contracts/published/proof.v1.schema.json."""

from __future__ import annotations

from typing import Any

from contracts.wire.proofs import CONSISTENCY, INCLUSION, PROOF_VERSION

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE64 = r"^[A-Za-z0-9+/]*={0,2}$"
HASH = r"^[A-Za-z0-9+/]{43}=$"  # 32 bytes in base64


def _hashes(description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "pattern": HASH},
        "description": description,
    }


CHECKPOINT = {
    "type": "string",
    "description": "a C2SP tlog-checkpoint (origin, tree size, base64 root hash) as a C2SP "
    "signed note with the log's Ed25519 signature line",
    "pattern": "\n\n\u2014 ",
}


def proof_document() -> dict[str, Any]:
    common = {"proof_version": {"const": PROOF_VERSION}}
    inclusion = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "proof",
            "proof_version",
            "checkpoint",
            "tree_size",
            "leaf_index",
            "event_id",
            "position",
            "event",
            "inclusion_path",
        ],
        "properties": {
            "proof": {"const": INCLUSION},
            **common,
            "checkpoint": CHECKPOINT,
            "tree_size": {"type": "integer", "minimum": 1},
            "leaf_index": {
                "type": "integer",
                "minimum": 0,
                "description": "the event's index among the log's leaves (0-based)",
            },
            "event_id": {"type": "string", "format": "uuid"},
            "position": {"type": "integer", "minimum": 1},
            "event": {
                "type": "string",
                "pattern": BASE64,
                "description": "the event's message value exactly as on Kafka, in base64; "
                "its leaf hash is SHA-256(0x00 || these bytes)",
            },
            "inclusion_path": _hashes("RFC 6962 audit path, from the leaf up (RFC 9162 2.1.3)"),
        },
    }
    consistency = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "proof",
            "proof_version",
            "old_checkpoint",
            "new_checkpoint",
            "consistency_path",
        ],
        "properties": {
            "proof": {"const": CONSISTENCY},
            **common,
            "old_checkpoint": CHECKPOINT,
            "new_checkpoint": CHECKPOINT,
            "consistency_path": _hashes("RFC 6962 consistency proof (RFC 9162 2.1.4)"),
        },
    }
    return {
        "$schema": DIALECT,
        "$id": f"urn:channel-ledger:proof:v{PROOF_VERSION}",
        "title": "Channel Ledger Merkle log proof",
        "description": "An inclusion proof of one event in a signed checkpoint, or a "
        "consistency proof between two signed checkpoints, of the ledger's RFC 6962 log. "
        "Checked offline with the log's verifier key: `ledger audit check FILE --key PUBKEY`.",
        "oneOf": [inclusion, consistency],
    }
