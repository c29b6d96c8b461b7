"""Upcasters: how a payload of an older schema version becomes the current version's.

Published messages are never rewritten: an event recorded as version 1 stays version 1 on Kafka
(its bytes are in the hash chain). Readers upcast after validating against the version the
message names, so projections and subscribers only ever handle current payloads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.wire.catalog import CONTRACTS, is_current
from domain.partner import Partner

Payload = dict[str, Any]


def _lost_v1_v2(payload: Payload) -> Payload:
    # Version 1 did not record who won instead: unknown, not guessed.
    return {**payload, "lost_to": None}


def _tier_reviewed_v1_v2(payload: Payload) -> Payload:
    # The stored event's own upcaster: the new fields hold no value the wire form would
    # spell differently (a string, or null), so the store and the topic agree by construction.
    upcast = dict(payload)
    Partner.TierReviewed.upcast_v1_v2(upcast)
    return upcast


# (event type, version) -> its payload as the next version.
UPCASTERS: dict[tuple[str, int], Callable[[Payload], Payload]] = {
    ("opportunity.lost", 1): _lost_v1_v2,
    ("partner.tier-reviewed", 1): _tier_reviewed_v1_v2,
    # Version 2 only widened the kinds of quote; a version 1 payload is already valid.
    ("opportunity.quote-issued", 1): dict,
}


def upcast(event_type: str, version: int, payload: Payload) -> tuple[int, Payload]:
    """The payload in the newest version this build knows, and that version."""
    while (step := UPCASTERS.get((event_type, version))) is not None:
        payload = step(payload)
        version += 1
    return version, payload


def _check_every_old_version_has_a_path() -> None:
    current = {c.event_type: c.schema_version for c in CONTRACTS if is_current(c)}
    for contract in CONTRACTS:
        reached, _ = upcast(contract.event_type, contract.schema_version, {})
        if reached != current[contract.event_type]:
            raise TypeError(
                f"{contract.event_type} v{contract.schema_version} has no upcaster path to "
                f"v{current[contract.event_type]}"
            )


_check_every_old_version_has_a_path()
