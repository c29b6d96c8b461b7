"""The Merkle log's frontier for a chain head checkpointed before the relay kept one.

The log's leaves are the events' message values, and the relay's encoding is a pure function
of the store: re-encoding every event up to the head gives the same values Kafka holds, so the
same tree. The rebuilt chain must end on the head's own hash, or the store is not the one
whose events were published, and the relay refuses to sign anything for it.
"""

from __future__ import annotations

from dataclasses import replace

from contracts.wire.chain import GENESIS, ChainHead
from contracts.wire.merkle import Frontier, leaf_hash
from infra.relay.batches import BatchEncoder


class LogStateMismatch(RuntimeError):
    """Re-encoding the store does not reproduce the checkpointed chain head."""


def with_frontier(head: ChainHead, encoder: BatchEncoder) -> ChainHead:
    """`head` with the frontier of the tree over every event up to it (read from the store)."""
    if head.tracks_log:
        return head
    frontier = Frontier()
    rebuilt = GENESIS
    while rebuilt.position < head.position:
        batch = encoder.next_batch(rebuilt)
        records = [r for r in batch.records if r[0] <= head.position]
        if not records:
            break
        frontier = frontier.extended([leaf_hash(record[4]) for record in records])
        for record in records:
            rebuilt = rebuilt.after(record[0], record[4])
        rebuilt = replace(rebuilt, frontier=frontier.hashes)
    if (rebuilt.position, rebuilt.count, rebuilt.hash) != (head.position, head.count, head.hash):
        raise LogStateMismatch(
            f"re-encoding the store up to position {head.position} gives a chain head "
            f"({rebuilt.position}, {rebuilt.count}, {rebuilt.hash}) other than the checkpoint's "
            f"({head.position}, {head.count}, {head.hash})"
        )
    return rebuilt
