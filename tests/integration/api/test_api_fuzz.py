"""The API fuzzed from its own OpenAPI document (schemathesis): every answer to every generated
request, with any role's token, is one the document promises: no 5xx, a documented status, the
documented media type, the documented headers, and a body valid against the documented schema
(a quote's amounts as strings with their pattern, a problem document for every refusal).

Commands run with a channel manager's token, so valid ones are recorded; queries run with each
role's token, so each role's code path (including a partner's scoping) is fuzzed.
"""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.settings import Settings
from tests.builders.api_world import bearer, build_world
from tests.fixtures.infrastructure import ledger_env

pytestmark = pytest.mark.kafka

# Examples per operation: enough to reach every field's edge cases, small enough that the whole
# run stays well under a minute.
EXAMPLES = 50
READ_ROLES = ("ops", "auditor", "manager", "bigcorp")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def world(kafka_bootstrap, tmp_path_factory):
    env = ledger_env(kafka_bootstrap, tmp_path_factory.mktemp("fuzz"))
    return build_world(Settings.from_env(env))


def test_every_answer_conforms_to_the_document(app, world):
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
    def conforms(case):
        roles = ("manager",) if case.method.upper() == "POST" else READ_ROLES
        for role in roles:
            # Raises, naming the check and the request, on the first answer the document
            # does not describe.
            response = case.call_and_validate(headers=bearer(world, role), checks=CHECKS)
            seen[response.status_code] += 1

    conforms()
