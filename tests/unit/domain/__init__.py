"""Unit tests of domain/: no broker, no database server."""
