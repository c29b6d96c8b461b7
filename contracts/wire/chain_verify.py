"""Checks the published ledger against its hash chain and seals, from Kafka's records alone.

What each kind of tampering looks like to this check:
- altered: an event's bytes no longer hash to what its successor (or a seal) recorded;
- missing: a successor (or a seal) names a predecessor that is not on Kafka;
- injected: an event nobody links to sits between two that link to each other, or repeats a
  position with different bytes, or a seal counts fewer events than Kafka holds;
- reordered: a partition holds a later position before an earlier one (per-aggregate order is
  partition order, so this is what a subscriber would see out of order);
- unsealed: events after the last seal (a relay mid-batch, or events appended by someone who
  cannot also write seals: only the relay should be allowed to write the ledger's topics);
- malformed: a record that is not an envelope with a chain link, or not a seal.

The chain walks positions in increasing order; every problem names the position where the
history first stops being the one the relay wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import orjson
from marshmallow import ValidationError

from contracts.wire.chain import GENESIS, GENESIS_HASH, ChainHead, Seal, event_hash, load_seal


@dataclass(frozen=True)
class PublishedRecord:
    """One record as read from Kafka: where it lies and its value's bytes."""

    topic: str
    partition: int
    offset: int
    value: bytes

    @property
    def where(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True)
class Problem:
    kind: str
    position: int | None
    where: str
    detail: str


@dataclass
class Verification:
    events: int = 0
    seals: int = 0
    head: ChainHead = GENESIS
    problems: list[Problem] = field(default_factory=list)
    # The Merkle log's signed checkpoints (contracts.wire.checkpoint_verify): how many a trusted
    # key signed, the largest one's size and root (base64), and its witnesses' cosignatures.
    checkpoints: int = 0
    log_size: int = 0
    log_root: str = ""
    witnessed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None


@dataclass(frozen=True)
class _Link:
    position: int
    previous_position: int
    previous_hash: str
    hash: str
    record: PublishedRecord


_GENESIS_LINK = _Link(0, 0, GENESIS_HASH, GENESIS_HASH, PublishedRecord("(genesis)", 0, 0, b""))


def verify_chain(
    events: Iterable[PublishedRecord], seals: Iterable[PublishedRecord]
) -> Verification:
    result = Verification()
    links = _links(events, result)
    counts = _walk(links, result)
    _check_order(links.values(), result)
    _check_seals(seals, links, counts, result)
    sort_problems(result)
    return result


def ledger_order(events: Iterable[PublishedRecord]) -> list[PublishedRecord]:
    """The events as the Merkle log's leaves: by position, the first record of each."""
    first: dict[int, PublishedRecord] = {}
    for record in events:
        link = _parse_link(record)
        if link is not None and link.position not in first:
            first[link.position] = record
    return [first[position] for position in sorted(first)]


def sort_problems(result: Verification) -> None:
    result.problems.sort(key=lambda p: (p.position is not None, p.position or 0))


def _links(events: Iterable[PublishedRecord], result: Verification) -> dict[int, _Link]:
    links: dict[int, _Link] = {}
    for record in events:
        link = _parse_link(record)
        if link is None:
            result.problems.append(
                Problem("malformed", None, record.where, "not an envelope with a chain link")
            )
            continue
        first = links.get(link.position)
        if first is None:
            links[link.position] = link
            continue
        same = first.record.value == record.value
        result.problems.append(
            Problem(
                "duplicated" if same else "injected",
                link.position,
                record.where,
                f"position {link.position} is also at {first.record.where}"
                + ("" if same else " with different content"),
            )
        )
    result.events = len(links)
    return links


def _parse_link(record: PublishedRecord) -> _Link | None:
    try:
        envelope: Any = orjson.loads(record.value)
        position = envelope["position"]
        previous_position = envelope["previous_position"]
        previous_hash = envelope["previous_hash"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        return None
    if not (
        type(position) is int
        and type(previous_position) is int
        and 0 <= previous_position < position
        and isinstance(previous_hash, str)
    ):
        return None
    return _Link(position, previous_position, previous_hash, event_hash(record.value), record)


def _walk(links: dict[int, _Link], result: Verification) -> dict[int, int]:
    """Follow the chain in position order; returns how many events it holds up to each one."""
    counts: dict[int, int] = {}
    previous = _GENESIS_LINK
    for count, position in enumerate(sorted(links), 1):
        link = links[position]
        counts[position] = count
        problem = _link_problem(previous, link)
        if problem is not None:
            result.problems.append(problem)
        previous = link
    if previous is not _GENESIS_LINK:
        result.head = ChainHead(previous.position, len(links), previous.hash)
    return counts


def _link_problem(previous: _Link, link: _Link) -> Problem | None:
    if link.previous_position > previous.position:
        return Problem(
            "missing",
            link.previous_position,
            link.record.where,
            f"position {link.position} follows position {link.previous_position}, "
            "which is not on Kafka",
        )
    if link.previous_position < previous.position:
        return Problem(
            "injected",
            previous.position,
            previous.record.where,
            f"nothing links to it: position {link.position} follows "
            f"position {link.previous_position}",
        )
    if link.previous_hash != previous.hash:
        if previous is _GENESIS_LINK:
            return Problem(
                "altered", link.position, link.record.where, "the first event's link is altered"
            )
        return Problem(
            "altered",
            previous.position,
            previous.record.where,
            f"its content does not hash to what position {link.position} recorded",
        )
    return None


def _check_order(links: Iterable[_Link], result: Verification) -> None:
    by_partition: dict[tuple[str, int], list[_Link]] = defaultdict(list)
    for link in links:
        by_partition[(link.record.topic, link.record.partition)].append(link)
    for in_partition in by_partition.values():
        in_partition.sort(key=lambda link: link.record.offset)
        for earlier, later in pairwise(in_partition):
            if later.position < earlier.position:
                result.problems.append(
                    Problem(
                        "reordered",
                        later.position,
                        later.record.where,
                        f"position {later.position} comes after position {earlier.position} "
                        "in its partition",
                    )
                )


def _check_seals(
    records: Iterable[PublishedRecord],
    links: dict[int, _Link],
    counts: dict[int, int],
    result: Verification,
) -> None:
    last_sealed = 0
    for record in records:
        try:
            seal = load_seal(record.value)
        except (ValueError, ValidationError) as error:
            result.problems.append(Problem("malformed", None, record.where, f"bad seal: {error}"))
            continue
        result.seals += 1
        last_sealed = max(last_sealed, seal.position)
        problem = _seal_problem(seal, record, links, counts)
        if problem is not None:
            result.problems.append(problem)
    unsealed = sorted(p for p in links if p > last_sealed)
    if unsealed:
        result.problems.append(
            Problem(
                "unsealed",
                unsealed[0],
                links[unsealed[0]].record.where,
                f"{len(unsealed)} events after the last seal (position {last_sealed}); "
                "if a relay is publishing, verify again once it has sealed",
            )
        )


def _seal_problem(
    seal: Seal, record: PublishedRecord, links: dict[int, _Link], counts: dict[int, int]
) -> Problem | None:
    if seal.position == 0:
        return None
    link = links.get(seal.position)
    if link is None:
        return Problem(
            "missing", seal.position, record.where, "a seal names this position; Kafka lacks it"
        )
    if link.hash != seal.head_hash:
        return Problem(
            "altered",
            seal.position,
            link.record.where,
            f"its content does not hash to what the seal at {record.where} recorded",
        )
    held = counts[seal.position]
    if held != seal.count:
        kind = "missing" if held < seal.count else "injected"
        return Problem(
            kind,
            seal.position,
            record.where,
            f"the seal counts {seal.count} events up to here; Kafka holds {held}",
        )
    return None
