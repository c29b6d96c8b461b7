"""Throughput benchmarks: the ledger's relay and projector against the raw Kafka client.

Run with ``make bench`` (or ``.venv/bin/python -m benchmarks.run``); see ``benchmarks/README.md``.
"""
