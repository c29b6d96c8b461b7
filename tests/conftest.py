pytest_plugins = ["tests.fixtures.infrastructure"]
