"""Messages the projector cannot decode go to a dead-letter topic, not into the void.

Each is republished unchanged (same key and value) with headers naming its origin (topic,
partition, offset) and the reason, and recorded in the projection database's `dead_letter`
table in the same transaction as the offset that moves past it, so ops can count them.
The Kafka copy is sent and flushed before that transaction commits: a crash in between sends
it again on restart, and the origin headers let anyone drop the repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from kafka import KafkaProducer, TopicPartition
from sqlalchemy import Connection

from projections.models.dead_letters import dead_letter


@dataclass(frozen=True)
class DeadLetter:
    origin: TopicPartition
    offset: int
    key: bytes | None
    value: bytes
    reason: str


class DeadLetterSink(Protocol):
    def send(self, letters: list[DeadLetter]) -> None: ...

    def close(self) -> None: ...


class KafkaDeadLetters:
    """Publishes dead letters to one topic and waits for Kafka to acknowledge them."""

    def __init__(self, producer: KafkaProducer, topic: str) -> None:
        self.producer = producer
        self.topic = topic

    def send(self, letters: list[DeadLetter]) -> None:
        futures = [
            self.producer.send(
                self.topic, key=letter.key, value=letter.value, headers=headers(letter)
            )
            for letter in letters
        ]
        self.producer.flush()
        for future in futures:
            future.get(timeout=0)  # raises if Kafka refused it: the batch is not committed

    def close(self) -> None:
        self.producer.close()


class AlreadyPublishedDeadLetters:
    """For a replay: the live projector published these dead letters already; a replay only
    records them (in its own database), so replaying never duplicates the topic's copies."""

    def send(self, letters: list[DeadLetter]) -> None:
        pass

    def close(self) -> None:
        pass


def headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    return [
        ("origin-topic", letter.origin.topic.encode()),
        ("origin-partition", str(letter.origin.partition).encode()),
        ("origin-offset", str(letter.offset).encode()),
        ("reason", letter.reason.encode()[:1000]),
    ]


def record(connection: Connection, group_id: str, letters: list[DeadLetter]) -> None:
    rows: list[dict[str, Any]] = [
        {
            "group_id": group_id,
            "topic": letter.origin.topic,
            "partition": letter.origin.partition,
            "offset": letter.offset,
            "reason": letter.reason[:1000],
        }
        for letter in letters
    ]
    connection.execute(dead_letter.insert(), rows)
