"""Kafka: client settings, the ledger's topics and their partitioning, reading whole topics,
consumer lag, and the launcher that runs a real Apache Kafka broker without Docker (its pom.xml
and log4j2.xml live here too).

May import infra.settings, contracts and projections (lag reads stored positions); not the
relay, audit or ops packages, which build on it.
"""
