"""The replay's reading stage: every record of the ledger's topics, read in a process of its own.

kafka-python parses each fetched record batch in pure Python (varints, headers, checksums),
which costs a replay about as much as decoding and projecting the events. In a child process
that parsing overlaps with the projection work in the replay's own process, much as the relay
encodes in a child while it sends (infra.relay.feed).

The child reads each partition from the offset the replay gives it up to the partition's end
as of the start (a snapshot: a replay ends even while the ledger keeps growing) and sends one
message per poll: {(topic, partition): [(offset, key, value), ...]}, in offset order. Pipe
writes block while the replay is busy, so at most about one poll waits in between. The replay
stores offsets with its rows exactly as the projector does; the reader decides nothing.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from kafka import KafkaConsumer, TopicPartition

from infra.kafka.clients import consumer_settings, topic_partitions

_CONTEXT = multiprocessing.get_context("spawn")  # see infra.relay.feed: no forking threads
START_TIMEOUT_S = 60.0
POLL_MS = 500


class ReadRecord(NamedTuple):
    """What the projector needs of a consumer record."""

    offset: int
    key: bytes | None
    value: bytes


Batch = dict[tuple[str, int], list[tuple[int, bytes | None, bytes]]]


class ReplayReadError(RuntimeError):
    """The reading process failed or stopped before reaching the ends of the partitions."""


class ReplayReader:
    """Starts the reading process; `total` is how many records it will deliver."""

    def __init__(
        self, bootstrap_servers: str, topics: list[str], start: dict[TopicPartition, int]
    ) -> None:
        self.connection, child_end = _CONTEXT.Pipe(duplex=False)
        starts = {(tp.topic, tp.partition): offset for tp, offset in start.items()}
        self.process = _CONTEXT.Process(
            target=_read,
            args=(child_end, bootstrap_servers, topics, starts),
            name="ledger-replay-reader",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        if not self.connection.poll(START_TIMEOUT_S):
            self.close()
            raise ReplayReadError("the replay's reader did not start in time")
        ready = self._receive()
        if not (isinstance(ready, tuple) and ready[0] == "total"):
            raise ReplayReadError(f"the replay's reader failed: {_describe(ready)}")
        self.total: int = ready[1]

    def batches(self) -> Iterator[dict[TopicPartition, list[ReadRecord]]]:
        """Each poll's records by partition, until every partition is read to its end."""
        while True:
            message = self._receive()
            if message == "done":
                return
            if not isinstance(message, dict):
                raise ReplayReadError(f"the replay's reader failed: {_describe(message)}")
            yield {
                TopicPartition(topic, partition): [ReadRecord(*record) for record in records]
                for (topic, partition), records in message.items()
            }

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()

    def _receive(self) -> Any:
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            self.process.join(timeout=1)
            raise ReplayReadError(
                f"the replay's reader exited (code {self.process.exitcode})"
            ) from None


def _describe(message: Any) -> str:
    if isinstance(message, tuple) and message and message[0] == "error":
        return str(message[1])
    return repr(message)[:200]


def _read(
    connection: Connection,
    bootstrap_servers: str,
    topics: list[str],
    starts: dict[tuple[str, int], int],
) -> None:
    """The child: read, forward, and say "done" (or what went wrong)."""
    try:
        consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, **consumer_settings(None))
    except Exception as error:  # the replay reports it; the child has no one else to tell
        connection.send(("error", f"{type(error).__name__}: {error}"))
        return
    try:
        partitions = topic_partitions(consumer, topics)
        consumer.assign(partitions)
        beginnings = consumer.beginning_offsets(partitions)
        ends = consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, max(starts.get((tp.topic, tp.partition), 0), beginnings[tp]))
        remaining = {tp for tp in partitions if consumer.position(tp) < ends[tp]}
        connection.send(("total", sum(ends[tp] - consumer.position(tp) for tp in remaining)))
        while remaining:
            batch: Batch = {}
            for tp, records in consumer.poll(timeout_ms=POLL_MS).items():
                kept = [(r.offset, r.key, r.value) for r in records if r.offset < ends[tp]]
                if kept:
                    batch[(tp.topic, tp.partition)] = kept
                if consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
            if batch:
                connection.send(batch)
        connection.send("done")
    except Exception as error:
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        consumer.close()
