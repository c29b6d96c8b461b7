"""The HTTP API: the ledger's commands and queries over HTTP, behind bearer tokens with roles."""
