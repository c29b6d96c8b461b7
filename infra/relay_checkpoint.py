"""Where the relay remembers how far it has published, kept beside the event store.

The checkpoint holds the chain's head with the position: the next event's link depends on every
event before it, and recomputing it would mean re-reading the whole store on every start.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, select, update

from contracts.chain import GENESIS, ChainHead

metadata = MetaData()

relay_checkpoint = Table(
    "relay_checkpoint",
    metadata,
    Column("relay", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("chain_count", BigInteger, nullable=False),
    Column("chain_hash", String(64), nullable=False),
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
