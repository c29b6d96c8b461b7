"""The projection database's tables."""

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, String, Table

metadata = MetaData()

partner_status = Table(
    "partner_status",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("code", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("legacy_tier", String(20), nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("certifications_earned", Integer, nullable=False),
    # Per-aggregate version and global position of the last event folded in: a replayed or
    # duplicated event (version not above this) changes nothing.
    Column("version", Integer, nullable=False),
    Column("last_position", BigInteger, nullable=False),
)

partner_certification = Table(
    "partner_certification",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("partner_version", Integer, primary_key=True),
    Column("individual", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("specialization", String(40), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
)

# Kafka positions of each consumer group, written in the same transaction as the rows they
# produced: after a crash, rows and positions agree.
consumer_position = Table(
    "consumer_position",
    metadata,
    Column("group_id", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
)
