"""The HTTP API: the ledger's commands and queries over HTTP, behind bearer tokens with roles,
and the ops dashboard and `/metrics`.

May import infra, consumers, projections, contracts and domain; only cli imports it.
"""
