"""Routes whose dependencies are solved from a plan answer exactly as FastAPI's own solver does.

Every operation of the OpenAPI document is called twice with the same request, once through the plans and
once through FastAPI's ``solve_dependencies``, with valid and invalid parameters, headers and bodies; the
status and the body must be the same. Write requests are only sent in forms that are refused before the
route runs, so that the first call cannot change what the second one sees."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from gouvernance.api.dependency_plans import make_plan
from gouvernance.api.permissions import api_routes
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


def _answer(client: TestClient, method: str, request: dict[str, Any]) -> tuple[int, str]:
    response = client.request(method, **request)
    return response.status_code, response.text


def test_every_route_of_the_application_has_a_plan(app: FastAPI) -> None:
    routes = [route for route in api_routes(app) if isinstance(route, APIRoute)]
    assert len(routes) > 30
    for route in routes:
        make_plan(route.dependant)  # raises Unplannable for what only FastAPI's solver handles


def test_plans_answer_as_fastapi_does(
    app: FastAPI, client: TestClient, make_team: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = make_team("mini")
    consultant = team["consultant"]
    steps = client.get(f"/engagements/{team.engagement_id}/steps", headers=consultant.headers).json()
    values = _path_values(team, steps[0]["key"])
    plans = app.state.dependency_plans
    compared = 0
    seen: set[int] = set()
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for request in _requests(method.upper(), path, operation, values, consultant.token):
                app.state.dependency_plans = plans
                planned = _answer(client, method.upper(), request)
                app.state.dependency_plans = None
                fastapi_own = _answer(client, method.upper(), request)
                assert planned == fastapi_own, (method, path, request)
                compared += 1
                seen.add(planned[0])
    app.state.dependency_plans = plans
    assert compared > 150
    # The requests reached the routes and their refusals: successes, each kind of refusal.
    assert {200, 401, 404, 422, 428} <= seen, seen


def test_plans_are_used(app: FastAPI, client: TestClient, make_team: Any) -> None:
    team = make_team("mini")
    response = client.get(f"/engagements/{team.engagement_id}", headers=team["consultant"].headers)
    assert response.status_code == 200
    made = [plan for _, plan in app.state.dependency_plans.plans.values() if plan is not None]
    assert any(plan.dependant.path == "/engagements/{engagement_id}" for plan in made)
