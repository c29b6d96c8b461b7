"""Integration tests of cli/ against a real Kafka broker and real databases."""
