"""Unit tests of projections/: no broker, no database server."""
