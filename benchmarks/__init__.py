"""Benchmarks: the relay and projector against the raw Kafka client on the same broker, the
application's commands and latency, the HTTP API's reads and the command line's start-up.

Run with ``make bench`` (or ``.venv/bin/python -m benchmarks.run``); see ``benchmarks/README.md``.
May import every package of the application; nothing imports it.
"""
