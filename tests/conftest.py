pytest_plugins = [
    "tests.fixtures.infrastructure",
    "tests.fixtures.cli",
    "tests.fixtures.private_postgres",
]
