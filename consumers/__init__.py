"""Kafka consumers that feed projections, each keeping its positions in its own SQL database."""
