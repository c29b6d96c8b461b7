"""The API fuzzed from its own OpenAPI document (schemathesis): no generated request, valid or
not, with any role's token, gets a 5xx.

Commands run with a channel manager's token, so valid ones are recorded; queries run with each
role's token, so each role's code path (including a partner's scoping) is fuzzed.
"""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import close_app, create_app
from infra.settings import Settings
from tests.builders.api_world import bearer, build_world
from tests.fixtures.infrastructure import ledger_env

pytestmark = pytest.mark.kafka

# Examples per operation: enough to reach every field's edge cases, small enough that the whole
# run stays well under a minute.
EXAMPLES = 50
READ_ROLES = ("ops", "auditor", "manager", "bigcorp")


@pytest.fixture(scope="module")
def world(kafka_bootstrap, tmp_path_factory):
    env = ledger_env(kafka_bootstrap, tmp_path_factory.mktemp("fuzz"))
    return build_world(Settings.from_env(env))


@pytest.fixture(scope="module")
def app(world):
    app = create_app(world.settings, world.tokens)
    yield app
    close_app(app)


def test_no_generated_request_gets_a_server_error(app, world):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19  # every command and query is fuzzed
    seen: Counter[int] = Counter()
    for operation in operations:
        fuzz(operation, world, seen)
    # The fuzzer got past validation into the ledger and the projections, and was refused too.
    assert {200, 201, 204, 404, 409, 422} <= set(seen), seen


def fuzz(operation, world, seen: Counter[int]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case):
        roles = ("manager",) if case.method.upper() == "POST" else READ_ROLES
        for role in roles:
            response = case.call(headers=bearer(world, role))
            seen[response.status_code] += 1
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
                f"{response.text}"
            )

    no_server_error()
