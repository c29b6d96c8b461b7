"""The app and its test client over the `world` each module builds (tests.builders.api_world).

Module-scoped like the worlds: a module defines `world`, and these serve it.
"""

from __future__ import annotations

import pytest

from api.app import close_app, create_app


@pytest.fixture(scope="module")
def app(world):
    app = create_app(world.settings, world.tokens)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()
