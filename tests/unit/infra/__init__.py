"""Unit tests of infra/: no broker, no database server."""
