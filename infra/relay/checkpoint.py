"""Where the relay remembers how far it has published, kept beside the event store.

The checkpoint holds the chain's head with the position: the next event's link depends on every
event before it, and recomputing it would mean re-reading the whole store on every start. The
Merkle log's frontier (at most 64 hashes) is saved in the same transaction, in a table of its
own so that stores checkpointed before the log existed keep their table as it was; a relay
that finds no frontier for its head rebuilds it once (infra.relay.log_state).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
    update,
)

from contracts.wire.chain import GENESIS, ChainHead

metadata = MetaData()

relay_checkpoint = Table(
    "relay_checkpoint",
    metadata,
    Column("relay", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("chain_count", BigInteger, nullable=False),
    Column("chain_hash", String(64), nullable=False),
    # Partitions per topic when the events were placed, e.g. "opportunity=6,partner=6": keys
    # move if a count changes, and the relay must notice (see Relay.check_against).
    Column("placement", String(200), nullable=True),
)

relay_merkle_frontier = Table(
    "relay_merkle_frontier",
    metadata,
    Column("relay", String(64), primary_key=True),
    Column("tree_size", BigInteger, nullable=False),
    # The frontier's hashes in hex, largest subtree first, separated by commas.
    Column("frontier", Text, nullable=False),
)


class RelayCheckpoint:
    """The chain head at the highest notification id whose event (and every earlier one) Kafka
    has acknowledged."""

    def __init__(self, engine: Engine, relay: str = "kafka") -> None:
        self.engine = engine
        self.relay = relay
        metadata.create_all(engine)

    def load(self) -> ChainHead:
        columns = relay_checkpoint.c
        with self.engine.connect() as connection:
            row = connection.execute(
                select(columns.position, columns.chain_count, columns.chain_hash).where(
                    columns.relay == self.relay
                )
            ).first()
            frontier = connection.execute(
                select(relay_merkle_frontier.c.tree_size, relay_merkle_frontier.c.frontier).where(
                    relay_merkle_frontier.c.relay == self.relay
                )
            ).first()
        if row is None:
            return GENESIS
        head = ChainHead(int(row.position), int(row.chain_count), row.chain_hash)
        if frontier is None or int(frontier.tree_size) != head.count:
            return head  # no frontier for this head: the relay rebuilds it
        hashes = tuple(bytes.fromhex(h) for h in frontier.frontier.split(",") if h)
        return replace(head, frontier=hashes)

    def placement(self) -> str | None:
        with self.engine.connect() as connection:
            found: str | None = connection.execute(
                select(relay_checkpoint.c.placement).where(relay_checkpoint.c.relay == self.relay)
            ).scalar()
        return found

    def record_placement(self, placement: str) -> None:
        with self.engine.begin() as connection:
            mine = relay_checkpoint.c.relay == self.relay
            updated = connection.execute(
                update(relay_checkpoint).where(mine).values(placement=placement)
            ).rowcount
            if not updated:
                connection.execute(
                    relay_checkpoint.insert().values(
                        relay=self.relay,
                        position=GENESIS.position,
                        chain_count=GENESIS.count,
                        chain_hash=GENESIS.hash,
                        placement=placement,
                    )
                )

    def save(self, head: ChainHead) -> None:
        values = {"position": head.position, "chain_count": head.count, "chain_hash": head.hash}
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(relay_checkpoint)
                .where(relay_checkpoint.c.relay == self.relay)
                .values(values)
            ).rowcount
            if not updated:
                connection.execute(relay_checkpoint.insert().values(relay=self.relay, **values))
            self._save_frontier(connection, head)

    def _save_frontier(self, connection: Connection, head: ChainHead) -> None:
        connection.execute(
            delete(relay_merkle_frontier).where(relay_merkle_frontier.c.relay == self.relay)
        )
        if head.tracks_log:
            connection.execute(
                relay_merkle_frontier.insert().values(
                    relay=self.relay,
                    tree_size=head.count,
                    frontier=",".join(h.hex() for h in head.frontier),
                )
            )
