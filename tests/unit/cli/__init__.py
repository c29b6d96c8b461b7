"""Unit tests of cli/: no broker, no database server."""
