"""Unit tests of contracts/: no broker, no database server."""
