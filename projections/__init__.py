"""Read models built from the published events (SQLAlchemy 2.x, SQLite or PostgreSQL)."""
