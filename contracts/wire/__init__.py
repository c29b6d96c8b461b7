"""The wire contract: envelope, payload schemas, the catalog of (event, version), the codec,
upcasting and the hash chain. What every reader of the topics depends on; imports only domain.
"""
