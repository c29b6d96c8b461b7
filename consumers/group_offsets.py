"""The positions stored in SQL, mirrored to Kafka's group coordinator for the standard lag tools.

`kafka-consumer-groups.sh --describe`, Burrow, kafka-lag-exporter and the Kafka UIs read a
group's lag from the offsets committed to Kafka. The projector and the subscribers keep theirs in
SQL, beside their rows (that is what makes them exactly-once), so without this mirror those tools
show their groups as empty. After each SQL commit the same next offsets go to Kafka too.

Informational only: nothing ever reads them back (every assignment seeks to the SQL positions),
so a commit is asynchronous, never waited for in the loop, and one that fails is logged and
dropped; the next batch's commit supersedes it anyway.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

log = logging.getLogger(__name__)

# kafka-python 3.0's OffsetAndMetadata(offset, metadata, leader_epoch): no metadata string, and
# -1 for "leader epoch unknown" (positions in SQL carry no epoch).
_NO_METADATA = ""
_NO_LEADER_EPOCH = -1
# How long closing waits for the last commit to reach the coordinator: enough for a broker on
# the same network, short enough that closing with Kafka down is not held up.
FLUSH_TIMEOUT_S = 2.0


class GroupOffsetMirror:
    """Commits a group member's SQL positions to Kafka, asynchronously and best-effort."""

    def __init__(self, consumer: KafkaConsumer) -> None:
        self.consumer = consumer
        self.failures = 0
        self._last: Any = None  # kafka.future.Future of the latest commit

    def commit(self, next_offsets: Mapping[TopicPartition, int]) -> None:
        """Commit `next_offsets` (the next offset to read on each partition) to Kafka."""
        if not next_offsets:
            return
        offsets = {
            tp: OffsetAndMetadata(offset, _NO_METADATA, _NO_LEADER_EPOCH)
            for tp, offset in next_offsets.items()
        }
        try:
            self._last = self.consumer.commit_async(offsets=offsets, callback=self._completed)
        except KafkaError as error:  # refused before it was sent: the SQL commit stands
            self._failed(error)

    def _completed(self, offsets: Mapping[TopicPartition, Any], response: Any) -> None:
        # kafka-python calls back with the broker's response, or with the exception.
        if isinstance(response, BaseException):
            self._failed(response)

    def _failed(self, error: BaseException) -> None:
        # Expected now and then (a rebalance in progress, a coordinator moving): at most a
        # lag tool shows the previous batch's offsets until the next commit.
        self.failures += 1
        log.warning("committing offsets to Kafka failed (SQL positions unaffected): %s", error)

    def flush(self, timeout_s: float = FLUSH_TIMEOUT_S) -> None:
        """Wait a little for the latest commit, so a drain that ends the process (`--once`)
        leaves Kafka showing where it stopped."""
        if self._last is None:
            return
        deadline = time.monotonic() + timeout_s
        while not self._last.is_done and time.monotonic() < deadline:
            time.sleep(0.01)
