"""Integration tests of infra/ against a real Kafka broker and real databases."""
