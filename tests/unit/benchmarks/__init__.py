"""Unit tests of the benchmark suite's own helpers (no broker)."""
