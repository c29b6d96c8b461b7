"""RFC 6962 section 2.1's MTH written as the RFC defines it (recursive, no shortcuts): the
independent check the tests hold the relay's incremental tree against."""

from __future__ import annotations

from contracts.wire.merkle import EMPTY_ROOT, leaf_hash, node_hash


def mth(values: list[bytes]) -> bytes:
    if not values:
        return EMPTY_ROOT
    if len(values) == 1:
        return leaf_hash(values[0])
    k = 1
    while k * 2 < len(values):
        k *= 2
    return node_hash(mth(values[:k]), mth(values[k:]))
