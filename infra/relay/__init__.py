"""The relay: the event store's notification log published to Kafka exactly once, in order.

Its parts: the loop (relay), what it encodes (encoder, batches) and where (feed), how far it
got (checkpoint, status), what Kafka already holds (tails), and one relay per store (lock).
May import infra.store, infra.kafka, contracts and domain.
"""
