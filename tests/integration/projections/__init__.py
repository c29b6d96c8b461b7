"""Integration tests of projections/ against a real Kafka broker and real databases."""
