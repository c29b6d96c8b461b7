"""A database that does not answer is a 503 problem, not a crash (no broker needed)."""

from api.app import close_app, create_app
from infra.settings import Settings
from tests.builders.api_world import bearer_for, make_tokens
from tests.fixtures.infrastructure import free_port


def test_an_unreachable_projection_database_is_a_503_to_retry(tmp_path):
    # Nothing listens on a port just freed: the connection is refused at once.
    url = f"postgresql://ledger:ledger@127.0.0.1:{free_port()}/ledger"
    settings = Settings.from_env({"LEDGER_DATA_DIR": str(tmp_path), "LEDGER_DATABASE_URL": url})
    tokens, secrets = make_tokens()
    app = create_app(settings, tokens)
    try:
        response = app.test_client().get("/partners", headers=bearer_for(secrets, "ops"))
    finally:
        close_app(app)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "1"
    assert "nothing was recorded" in response.get_json()["detail"]
