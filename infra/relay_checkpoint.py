"""Where the relay remembers how far it has published, kept beside the event store."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, select, update

metadata = MetaData()

relay_checkpoint = Table(
    "relay_checkpoint",
    metadata,
    Column("relay", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


class RelayCheckpoint:
    """The highest notification id whose event (and every earlier one) Kafka has acknowledged."""

    def __init__(self, engine: Engine, relay: str = "kafka") -> None:
        self.engine = engine
        self.relay = relay
        metadata.create_all(engine)

    def load(self) -> int:
        with self.engine.connect() as connection:
            position = connection.execute(
                select(relay_checkpoint.c.position).where(relay_checkpoint.c.relay == self.relay)
            ).scalar()
        return int(position or 0)

    def save(self, position: int) -> None:
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(relay_checkpoint)
                .where(relay_checkpoint.c.relay == self.relay)
                .values(position=position)
            ).rowcount
            if not updated:
                connection.execute(
                    relay_checkpoint.insert().values(relay=self.relay, position=position)
                )
