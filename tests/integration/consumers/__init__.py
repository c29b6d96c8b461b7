"""Integration tests of consumers/ against a real Kafka broker and real databases."""
