"""Fault injection: real processes killed with SIGKILL, a real broker stopped and restarted.

Every test here drives the ledger's own commands (`ledger relay`, `ledger project`) and small
worker modules as separate OS processes, kills them at seeded random moments, lets them
recover, and then checks what the guarantees promise: Kafka holds every stored event exactly
once and in order, the hash chain verifies, and the projections equal a rebuild from scratch.
`LEDGER_FAULT_SEED=N` replays one schedule of kills; each test prints the seed it used.
"""
