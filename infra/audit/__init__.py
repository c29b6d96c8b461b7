"""What auditors run: replay from offset zero, verify the hash chain, explain a decision, and
queries answered from history as of a date.

May import infra.store, infra.kafka, consumers, projections, contracts and domain.
"""
