"""The contracts, split by who reads them: `wire` (what downstream systems read on Kafka),
`documents` (the published JSON Schemas and AsyncAPI made from it, kept in `published/`), and
`inputs` (commands, rules files and API schemas validated at the edge).

Marshmallow schemas here are the single definition of the envelope and of every event payload.
Serialization lives only at the edges; the domain never sees a schema.
"""
