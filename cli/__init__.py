"""The `ledger` command line: one module per noun of `ledger --help`, and `main` to dispatch.

Sits above every other package (it may import api/, infra/ and below; nothing imports it).
Modules keep their top-level imports light and import what a handler needs inside the handler,
so `ledger --help` and a one-partner query start without loading Flask, Kafka or the scenario.
"""
