"""Every operation of the OpenAPI document answers what the document says it answers.

Each operation is called with valid and invalid parameters, headers and bodies: the status must be one the
operation documents, and every refusal a problem+json body that names its code, status and path. Write
requests are only sent in forms refused before the route runs, so that no call changes what the next one
sees."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from gouvernance.api.problems import PROBLEM_MEDIA_TYPE, Problem
from tests.api.conftest import Team

UNKNOWN_ID = "999999"


def _path_values(team: Team, step_key: str) -> dict[str, str]:
    return {"engagement_id": team.engagement_id, "step_key": step_key, "key": "mini", "version": "1"}


def _requests(
    method: str, path: str, operation: dict[str, Any], values: dict[str, str], token: str
) -> list[dict[str, Any]]:
    parameters = operation.get("parameters", [])
    path_names = [p["name"] for p in parameters if p["in"] == "path"]
    url = path.format(**{name: values.get(name, UNKNOWN_ID) for name in path_names})
    auth = {"Authorization": f"Bearer {token}"}
    variants: list[dict[str, Any]] = [{"url": url, "headers": {}}]  # no token
    for name in path_names:  # each path parameter too long, or not of its type
        bad = path.format(**{n: ("é" * 90 if n == name else values.get(n, UNKNOWN_ID)) for n in path_names})
        variants.append({"url": bad, "headers": auth})
    if method == "GET":
        variants.append({"url": url, "headers": {**auth, "Accept-Language": "en"}})
        for parameter in parameters:
            if parameter["in"] == "query":
                for value in ("-1", "pas-un-nombre", "x" * 300, "true"):
                    variants.append({"url": url, "headers": auth, "params": {parameter["name"]: value}})
            if parameter["in"] == "header":
                variants.append({"url": url, "headers": {**auth, parameter["name"]: "x" * 300}})
        return variants
    # Writes, only in forms refused before the route runs.
    variants.append({"url": url, "headers": {**auth, "Idempotency-Key": "k" * 300}, "json": []})
    if "requestBody" in operation:
        variants.append({"url": url, "headers": auth, "json": []})
        variants.append(
            {"url": url, "headers": {**auth, "Content-Type": "application/json"}, "content": b'{"event": '}
        )
        variants.append({"url": url, "headers": {**auth, "If-Match": "pas une version"}, "json": ["x"]})
    return variants


def test_every_operation_answers_with_its_documented_statuses_and_problems(
    client: TestClient, make_team: Any
) -> None:
    team = make_team("mini")
    consultant = team["consultant"]
    steps = client.get(f"/engagements/{team.engagement_id}/steps", headers=consultant.headers).json()
    values = _path_values(team, steps[0]["key"])
    answered = 0
    seen: set[int] = set()
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            for request in _requests(method.upper(), path, operation, values, consultant.token):
                response = client.request(method.upper(), **request)
                where = (method, path, request, response.status_code, response.text[:300])
                assert str(response.status_code) in operation["responses"], where
                if response.status_code >= 400:
                    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE, where
                    problem = Problem.model_validate(response.json())
                    assert problem.status == response.status_code, where
                    assert problem.type == f"urn:gouvernance:problem:{problem.code}", where
                    assert problem.instance == request["url"].split("?")[0], where
                answered += 1
                seen.add(response.status_code)
    assert answered > 150
    # The requests reached the routes and their refusals: successes, each kind of refusal.
    assert {200, 401, 404, 422, 428} <= seen, seen
