"""Kafka consumers that feed projections, each keeping its positions in its own SQL database:
the projector, and the subscriber kit downstream systems build on (with examples).

May import projections, contracts and domain; infra, api and cli import it.
"""
