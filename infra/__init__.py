"""Adapters, by stage: the event store, Kafka, the relay, audit, the seed scenario and ops.

At the top: `settings` (all configuration, read once), `bootstrap` (the composition root that
builds the relay and the projector), `tokens` and `roles` (the API's bearer tokens and what each
role may do) and `output` (tables, JSON and progress for people and programs). infra may import
consumers, projections, contracts and domain; only api and cli import infra.
"""
