"""Integration tests of api/ against a real Kafka broker and real databases."""
