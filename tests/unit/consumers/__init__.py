"""Unit tests of consumers/: no broker, no database server."""
