"""Kafka's default keyed partitioning, computed by the ledger so every stage agrees on it."""

from __future__ import annotations

from functools import lru_cache

from kafka.partitioner.default import murmur2


# murmur2 is pure Python and a partner's key recurs for every one of its events.
@lru_cache(maxsize=65536)
def keyed_partition_index(key: bytes, partition_count: int) -> int:
    """The Java client's keyed partitioning, so any Kafka client agrees on a key's partition."""
    index: int = (murmur2(key) & 0x7FFFFFFF) % partition_count
    return index
