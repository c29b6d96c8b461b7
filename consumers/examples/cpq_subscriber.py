"""A CPQ-style subscriber: keeps the current exclusivities per opportunity in its own database.

    python -m consumers.examples.cpq_subscriber --bootstrap localhost:9092 --db sqlite:///cpq.db

Subscribes to `<prefix>.opportunity` with the subscriber kit, so each event is applied exactly
once, in each opportunity's order, in the same transaction as the offset it moves past.
Messages it cannot decode go to `<group>.dead-letter`. Without --once it runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from kafka.errors import KafkaConnectionError, KafkaTimeoutError
from sqlalchemy.exc import ArgumentError

from consumers.examples.cpq_exclusivities import apply, create_tables, current_exclusivities
from consumers.subscriber import Subscriber, open_subscriber
from consumers.subscriber_database import open_subscriber_db
from contracts.wire.catalog import topic_name

DEFAULT_GROUP = "cpq-exclusivities"


def open_cpq_subscriber(
    bootstrap: str,
    database_url: str,
    topic_prefix: str = "ledger",
    group_id: str = DEFAULT_GROUP,
    dead_letter_topic: str | None = None,
    max_poll_records: int = 500,
) -> Subscriber:
    """The example's subscriber, its tables created in the database at `database_url`."""
    engine = open_subscriber_db(database_url)
    create_tables(engine)
    engine.dispose()
    return open_subscriber(
        bootstrap,
        database_url,
        group_id,
        [topic_name(topic_prefix, "opportunity")],
        apply,
        dead_letter_topic=dead_letter_topic or f"{group_id}.dead-letter",
        max_poll_records=max_poll_records,
    )


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        subscriber = open_cpq_subscriber(
            args.bootstrap, args.db, args.topic_prefix, args.group, args.dead_letter_topic
        )
    except ArgumentError as error:
        parser.error(f"--db {args.db!r} is not a database URL: {error}")
    except (KafkaConnectionError, KafkaTimeoutError):
        print(f"error: no Kafka broker reachable at {args.bootstrap}", file=sys.stderr)
        return 3
    try:
        if args.once:
            handled = subscriber.drain()
        else:
            subscriber.run(_stop_on_signals())
            handled = subscriber.handled
        with subscriber.engine.connect() as connection:
            held = len(current_exclusivities(connection))
    finally:
        subscriber.close()
    print(f"{handled} messages handled; {held} opportunities under exclusivity")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m consumers.examples.cpq_subscriber",
        description="Keep the current exclusivity of every opportunity, as a CPQ system would.",
        epilog="example: --bootstrap localhost:9092 --db sqlite:///cpq.db --once",
    )
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of this subscriber's database")
    parser.add_argument("--topic-prefix", default="ledger", help="the ledger's topic prefix")
    parser.add_argument("--group", default=DEFAULT_GROUP, help="consumer group id")
    parser.add_argument("--dead-letter-topic", help="default: <group>.dead-letter")
    parser.add_argument("--once", action="store_true", help="catch up, then exit")
    return parser


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    return stop


if __name__ == "__main__":
    sys.exit(main())
