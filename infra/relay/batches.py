"""The relay's encoding stage: the next batch of stored events as Kafka records, chained.

Pure of Kafka: it reads the notification log after a chain head and returns each event's
record (which topic, which partition, key, value) plus the head after the batch. The relay
runs it in a process of its own (infra.relay.feed) so encoding overlaps with sending.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from eventsourcing.persistence import ApplicationRecorder, Mapper

from contracts.wire.catalog import AGGREGATE_TYPES
from contracts.wire.chain import ChainHead
from contracts.wire.merkle import Frontier, leaf_hash
from infra.kafka.partitioning import keyed_partition_index
from infra.relay.cloudevents import CloudEventHeaders
from infra.relay.encoder import StoredEventEncoder

# One record: (position, aggregate type index, partition, key, value, headers). The headers are
# the contract's and the event's CloudEvents attributes (infra.relay.cloudevents).
EncodedRecord = tuple[int, int, int, bytes, bytes, list[tuple[str, bytes]]]


@dataclass(frozen=True)
class EncodedBatch:
    records: list[EncodedRecord]
    head: ChainHead  # the chain head after the batch's last event, with the log's frontier

    def __len__(self) -> int:
        return len(self.records)


class BatchEncoder:
    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper,  # type: ignore[type-arg]
        partition_counts: dict[str, int],
        batch_size: int,
        cloudevents_source: str,
    ) -> None:
        self.recorder = recorder
        self.encoder = StoredEventEncoder(mapper, CloudEventHeaders(cloudevents_source))
        self.partition_counts = [partition_counts[kind] for kind in AGGREGATE_TYPES]
        self.kind_index = {kind: n for n, kind in enumerate(AGGREGATE_TYPES)}
        self.batch_size = batch_size

    def next_batch(self, head: ChainHead) -> EncodedBatch:
        if not head.tracks_log:
            raise ValueError(
                f"the chain head at position {head.position} has no Merkle frontier "
                "(rebuild it first: infra.relay.log_state)"
            )
        notifications = self.recorder.select_notifications(
            start=head.position + 1, limit=self.batch_size
        )
        records: list[EncodedRecord] = []
        leaves: list[bytes] = []
        frontier = Frontier(head.count, head.frontier)
        encode = self.encoder.encode
        for notification in notifications:
            message = encode(notification, head)
            head = head.after(notification.id, message.value)
            leaves.append(leaf_hash(message.value))
            kind = self.kind_index[message.aggregate_type]
            partition = keyed_partition_index(message.key, self.partition_counts[kind])
            records.append(
                (notification.id, kind, partition, message.key, message.value, message.headers)
            )
        if not records:
            return EncodedBatch(records, head)
        # The tree grows once per batch: one leaf hash per event, about one node hash more.
        return EncodedBatch(records, replace(head, frontier=frontier.extended(leaves).hashes))
