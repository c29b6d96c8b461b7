"""The published documents made from the wire contract: JSON Schema, AsyncAPI, the
compatibility check between versions, and `python -m contracts.documents.publish` (`make contracts`)
that writes them into contracts/published/.
"""
