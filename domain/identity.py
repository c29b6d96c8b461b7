"""Identities derived from names, so every process agrees on them without a lookup."""

from uuid import NAMESPACE_URL, UUID, uuid5

EVENT_ID_NAMESPACE = uuid5(NAMESPACE_URL, "urn:channel-ledger:event")


def event_id(aggregate_id: UUID, aggregate_version: int) -> UUID:
    """Stable id of the event recorded at this version of this aggregate.

    Decisions are identified by the id of the event that records them, so a decision id is
    known before the event is saved and is the same on Kafka and in the store.
    """
    return uuid5(EVENT_ID_NAMESPACE, f"{aggregate_id}/{aggregate_version}")


def name_based_id(kind: str, name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"urn:channel-ledger:{kind}:{name}")
