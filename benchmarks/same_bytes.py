"""The raw producer's messages, read back from what a relay published, and the byte check.

The raw producer must send exactly what the relay sends, or the ratio compares different work:
so its messages are not re-encoded here but read back from the topics of an untimed relay
drain of the same store (every envelope with its chain link, every seal). After a timed round,
`compare_topics` reads both sides back and requires the same records at the same offsets.

Seals carry the moment they were sealed (`sealed_at`), so two relay runs never write the same
seal bytes; seals are compared on everything else (key, headers, position, count, head hash).
The Merkle log's signed checkpoints (a C2SP note after each seal) are deterministic for one
origin and key (Ed25519 signatures are), so they are compared byte for byte.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from benchmarks.measurements import BenchmarkError
from contracts.wire.catalog import chain_topic_name
from infra.kafka.clients import topic_partitions

POLL_TIMEOUT_MS = 500
EMPTY_POLLS_ALLOWED = 20


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a relay sent it: topic (by its suffix after the prefix) and partition."""

    suffix: str  # ".partner", ".chain", ...: the topic without its run's prefix
    partition: int
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True)
class Published:
    """Everything a relay published under one prefix, in the order the relay sent it."""

    messages: list[OutgoingMessage]
    partitions: dict[str, int]  # partitions per topic suffix

    @property
    def events(self) -> int:
        return sum(1 for m in self.messages if m.suffix != CHAIN_SUFFIX)

    @property
    def seals(self) -> int:
        """Chain records: seals and the signed checkpoints sent with them."""
        return len(self.messages) - self.events

    def event_types(self) -> dict[str, int]:
        """How many events of each type the workload holds, most frequent first."""
        counts = Counter(
            orjson.loads(m.value)["event_type"] for m in self.messages if m.suffix != CHAIN_SUFFIX
        )
        return dict(counts.most_common())


CHAIN_SUFFIX = chain_topic_name("")


@dataclass(frozen=True)
class Comparison:
    events_compared: int
    seals_compared: int
    checkpoints_compared: int = 0


def read_published(bootstrap_servers: str, prefix: str, suffixes: list[str]) -> Published:
    """Every record of `prefix`'s topics, ordered as the relay sent them: by global position,
    each seal right after the last event it covers (only per-partition order matters to Kafka;
    this order also spreads the raw producer's sends over partitions as the relay's are)."""
    records: list[tuple[tuple[int, int], OutgoingMessage]] = []
    partitions: dict[str, int] = {}
    for suffix in suffixes:
        by_partition = read_topic(bootstrap_servers, prefix + suffix)
        partitions[suffix] = len(by_partition)
        for partition, messages in by_partition.items():
            position = 0
            for key, value, headers in messages:
                message = OutgoingMessage(suffix, partition, key, value, headers)
                if not is_checkpoint(value):
                    position = orjson.loads(value)["position"]
                # A checkpoint goes right after the seal it was sent with.
                order = 0 if suffix != CHAIN_SUFFIX else 2 if is_checkpoint(value) else 1
                records.append(((position, order), message))
    records.sort(key=lambda record: record[0])
    return Published([message for _, message in records], partitions)


Record = tuple[bytes, bytes, list[tuple[str, bytes]]]


def read_topic(bootstrap_servers: str, topic: str) -> dict[int, list[Record]]:
    """(key, value, headers) of every record, per partition, from the start to the end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        assigned = topic_partitions(consumer, [topic])
        if not assigned:
            raise BenchmarkError(f"no partitions for topic {topic}")
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        read: dict[int, list[Record]] = {tp.partition: [] for tp in assigned}
        for partition, record in _records(consumer, ends):
            read[partition].append((record.key, record.value, list(record.headers)))
        return read
    finally:
        consumer.close()


def _records(consumer: KafkaConsumer, ends: dict[TopicPartition, int]) -> Iterator[tuple[int, Any]]:
    empty = 0
    while any(consumer.position(tp) < end for tp, end in ends.items()):
        polled = consumer.poll(timeout_ms=POLL_TIMEOUT_MS)
        empty = 0 if polled else empty + 1
        if empty > EMPTY_POLLS_ALLOWED:
            raise BenchmarkError(f"could not read {list(ends)} to their ends")
        for tp, records in polled.items():
            for record in records:
                if record.offset < ends[tp]:
                    yield tp.partition, record


def compare_topics(
    bootstrap_servers: str, relay_prefix: str, raw_prefix: str, suffixes: list[str]
) -> Comparison:
    """Require the relay's and the raw producer's topics to hold the same records."""
    events = seals = checkpoints = 0
    for suffix in suffixes:
        relay = read_topic(bootstrap_servers, relay_prefix + suffix)
        raw = read_topic(bootstrap_servers, raw_prefix + suffix)
        if {p: len(r) for p, r in relay.items()} != {p: len(r) for p, r in raw.items()}:
            raise BenchmarkError(f"{suffix}: relay and raw producer hold different record counts")
        for partition, records in relay.items():
            for offset, (mine, theirs) in enumerate(zip(records, raw[partition], strict=True)):
                if not same_record(suffix, mine, theirs):
                    raise BenchmarkError(
                        f"{suffix}[{partition}]@{offset}: the raw producer's record differs "
                        f"from the relay's:\n  relay {mine!r}\n  raw   {theirs!r}"
                    )
                if suffix == CHAIN_SUFFIX and is_checkpoint(mine[1]):
                    checkpoints += 1
                elif suffix == CHAIN_SUFFIX:
                    seals += 1
                else:
                    events += 1
    return Comparison(events, seals, checkpoints)


def is_checkpoint(value: bytes) -> bool:
    """Chain records are JSON seals or signed checkpoint notes (never starting with "{")."""
    return not value.startswith(b"{")


def same_record(suffix: str, mine: Record, theirs: Record) -> bool:
    if suffix != CHAIN_SUFFIX or is_checkpoint(mine[1]):
        return mine == theirs  # byte for byte: key, value and headers
    return (mine[0], mine[2]) == (theirs[0], theirs[2]) and _unsealed(mine[1]) == _unsealed(
        theirs[1]
    )


def _unsealed(value: bytes) -> dict[str, Any]:
    seal: dict[str, Any] = orjson.loads(value)
    seal.pop("sealed_at", None)
    return seal
