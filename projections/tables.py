"""The projection database's tables."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Amounts are Numeric (asdecimal): PostgreSQL stores them exactly; SQLite stores a double and
# SQLAlchemy reads it back as a Decimal rounded to the column's scale, exact up to the 15
# significant digits a double holds (cents on amounts below ten trillion).

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
    Column("ended_on", Date, nullable=True),  # expired or revoked
)

# The version of the last event projected from each aggregate, whatever tables it touched: an
# event at or below it is a redelivery (or a replay) and is skipped, so no handler sees it twice.
projected_version = Table(
    "projected_version",
    metadata,
    Column("aggregate_id", String(36), primary_key=True),
    Column("aggregate_type", String(40), nullable=False),
    Column("version", Integer, nullable=False),
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

# One row per award, keyed by the award's event id: a specialization withdrawn and awarded again
# (even on the same day) is two rows. A withdrawal ends the partner's award still in force.
partner_specialization = Table(
    "partner_specialization",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("specialization", String(40), nullable=False),
    Column("awarded_on", Date, nullable=False),
    Column("contract_reference", String(100), nullable=False),
    Column("withdrawn_on", Date, nullable=True),
)

revenue_credit = Table(
    "revenue_credit",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("opportunity_id", String(36), nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("won_on", Date, nullable=False),
)

tier_change = Table(
    "tier_change",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("from_tier", String(20), nullable=False),
    Column("to_tier", String(20), nullable=False),
    Column("reviewed_on", Date, nullable=False),
    Column("rules_version", String(40), nullable=False),
    Column("qualified_revenue", Numeric(18, 2), nullable=False),
    Column("evidence_event_ids", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

program_rules = Table(
    "program_rules",
    metadata,
    Column("version", String(40), primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("document", Text, nullable=False),
    Column("event_id", String(36), nullable=False),
    # Of rule sets effective the same day, the one published last (highest position) is in force.
    Column("position", BigInteger, nullable=False),
)

opportunity = Table(
    "opportunity",
    metadata,
    Column("opportunity_id", String(36), primary_key=True),
    Column("reference", String(200), nullable=False, unique=True),
    Column("end_customer", String(200), nullable=False),
    Column("specialization", String(40), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("vendor_sales_engaged", Boolean, nullable=False),
    Column("status", String(10), nullable=False),  # open, won, lost
    Column("protected_by", String(36), nullable=True),
    Column("protection_decision_id", String(36), nullable=True),
    Column("protection_valid_until", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("won_by", String(36), nullable=True),
    Column("amount", Numeric(18, 2), nullable=True),
    Column("lost_to", String(200), nullable=True),
    Column("qualified", Boolean, nullable=True),
)

exclusivity_decision = Table(
    "exclusivity_decision",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("outcome", String(10), nullable=False),  # granted, denied
    Column("reason_code", String(60), nullable=False),
    Column("rules_version", String(40), nullable=False),
    Column("evidence_event_ids", Text, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("valid_until", Date, nullable=True, index=True),  # expiring registrations
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(20), nullable=True),  # expired, released, won, lost
    Column("position", BigInteger, nullable=False),
)

quote = Table(
    "quote",
    metadata,
    Column("quote_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("list_price", Numeric(18, 2), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("tier_discount", Numeric(6, 2), nullable=False),
    Column("registration_uplift", Numeric(6, 2), nullable=False),
    Column("net_price", Numeric(18, 2), nullable=False),
    Column("protection", String(30), nullable=False),
    Column("decision_id", String(36), nullable=True),
    Column("rules_version", String(40), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("position", BigInteger, nullable=False),
)

# Messages the projector could not decode, kept for ops (see consumers.dead_letters).
dead_letter = Table(
    "dead_letter",
    metadata,
    Column("group_id", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("reason", String(1000), nullable=False),
)

# Reviews that changed no tier: what "tiers at risk" is read from (downgrade pending, or a tier
# held only by a transition plan's floor).
tier_review = Table(
    "tier_review",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("reviewed_on", Date, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("earned_tier", String(20), nullable=False),
    Column("floor_tier", String(20), nullable=True),
    Column("downgrade_due_on", Date, nullable=True),
    Column("qualified_revenue", Numeric(18, 2), nullable=False),
    Column("rules_version", String(40), nullable=False),
    Column("position", BigInteger, nullable=False),
)

# One plan per legacy partner at most (the domain opens one only), keyed by the partner.
transition_plan = Table(
    "transition_plan",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("legacy_tier", String(20), nullable=False),
    Column("earned_tier", String(20), nullable=False),
    Column("floor_tier", String(20), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("qualified_revenue_short", Numeric(18, 2), nullable=False),
    Column("specializations_short", Integer, nullable=False),
    Column("sales_certified_short", Integer, nullable=False),
    Column("technical_certified_short", Integer, nullable=False),
    Column("milestones_met", Text, nullable=False),  # comma-separated, in the order met
    Column("closed_on", Date, nullable=True),
    Column("close_reason", String(30), nullable=True),
    Column("rules_version", String(40), nullable=False),
)

# Benefits of protection, keyed by the exclusivity decision they came with.
protection_benefit = Table(
    "protection_benefit",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("opportunity_id", String(36), nullable=False, index=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("engineer_days", Integer, nullable=False),
    Column("engineer_days_used", Integer, nullable=False),
    Column("extended_support", Boolean, nullable=False),
    Column("granted_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(30), nullable=True),
    Column("rules_version", String(40), nullable=False),
)
