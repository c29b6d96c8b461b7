"""Where the relay remembers how far it has published, kept beside the event store.

The checkpoint holds the chain's head with the position: the next event's link depends on every
event before it, and recomputing it would mean re-reading the whole store on every start.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, select, update

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
        if row is None:
            return GENESIS
        return ChainHead(int(row.position), int(row.chain_count), row.chain_hash)

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
