"""Schemathesis against the app's own OpenAPI document: every operation gets valid and invalid requests
(random identifiers, and the real engagement so that requests reach the domain); no answer may be a 5xx
or stray from the documented statuses, media types, headers and schemas."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 36
MINIMUM_REQUESTS = 500


def test_the_api_honours_its_own_openapi_contract(app, make_team) -> None:
    team = make_team()
    auth = team["consultant"].headers
    real = {"engagement_id": team.engagement_id, "step_key": "a1", "key": "mini", "version": 1}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    statuses: Counter[int] = Counter()
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operations.append(result.ok())
    assert len(operations) >= 17

    for operation in operations:
        fixed = {name: value for name, value in real.items() if f"{{{name}}}" in operation.path}
        cases = st.one_of(
            operation.as_strategy(
                GenerationMode.POSITIVE, path_parameters=fixed, headers={"If-Match": '"2"'}
            ),
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def exchange(case: schemathesis.Case) -> None:
            response = case.call(headers=auth)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        exchange()

    assert sum(statuses.values()) >= MINIMUM_REQUESTS, statuses
    assert not [status for status in statuses if status >= 500], statuses
    assert statuses[200] + statuses[201] > 50, statuses  # the real engagement was reached, not only 4xx
