"""The event store: eventsourcing's recorders on SQLite or PostgreSQL, opened from a URL.

May import infra.settings, domain and contracts; nothing else of infra.
"""
