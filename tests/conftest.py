# The password sweep comes first: other fixture modules import it, and pytest rewrites the
# asserts of a plugin only if it registers it before anything imports it. pytester runs the
# sweep's own tests in a session of their own.
pytest_plugins = [
    "tests.fixtures.password_sweep",
    "tests.fixtures.infrastructure",
    "tests.fixtures.cli",
    "tests.fixtures.private_postgres",
    "pytester",
]
