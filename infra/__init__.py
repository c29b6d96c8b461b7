"""Adapters and entry points: configuration, event store, Kafka, relay, CLI."""
