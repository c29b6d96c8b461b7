"""The wire contract: what downstream systems read on Kafka.

Marshmallow schemas here are the single definition of the envelope and of every event payload.
Serialization lives only at the edges; the domain never sees a schema.
"""
