"""Unit tests of projections/models/: each read model, no broker, no database server."""
