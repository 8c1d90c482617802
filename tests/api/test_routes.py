"""Every route declares its permission, and the OpenAPI document is complete: permissions, problem
responses, examples, and a /docs page that needs no internet."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from gouvernance.api.app import ROUTERS
from gouvernance.api.permissions import DOCUMENTATION_PATHS, api_routes, permission_of
from gouvernance.engagements.service import TERRITORY_KINDS
from gouvernance.lifecycle.machines import EngagementMachine, machine_events
from gouvernance.web import STATIC_PATH


def test_every_route_declares_exactly_one_permission(app) -> None:
    """The routers' routes and the app's own: a new route without a permission fails here."""
    undeclared = []
    routes = api_routes(app, ROUTERS)
    assert len([r for r in routes if isinstance(r, APIRoute)]) >= 18
    for route in routes:
        if isinstance(route, APIRoute):
            declared = [p for d in route.dependant.dependencies if (p := permission_of(d.call)) is not None]
            if len(declared) != 1:
                undeclared.append(f"{sorted(route.methods or ())} {route.path}: {len(declared)} permissions")
        elif isinstance(route, Route | Mount):
            if route.path not in DOCUMENTATION_PATHS | {STATIC_PATH}:  # the web pages' style sheet
                undeclared.append(f"{route.path}: not an API route and not documentation")
        else:
            undeclared.append(repr(route))
    assert undeclared == []


def test_the_routers_hold_every_operation_of_the_document(app) -> None:
    """An API route added to the app outside ``ROUTERS`` would escape the permission checks above."""
    document = app.openapi()
    operations = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    routed = {
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods
    }
    assert operations == routed


def test_the_openapi_document_shows_every_permission_and_problem(client) -> None:
    document = client.get("/openapi.json").json()
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert "x-permission" in operation, where
            permission = operation["x-permission"]
            if permission["scope"] != "public":
                assert operation["security"] == [{"jeton": []}], where
                assert "401" in operation["responses"], where
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], where
            json_body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if json_body is not None:
                schema = document["components"]["schemas"][json_body["schema"]["$ref"].split("/")[-1]]
                assert schema.get("examples"), f"{where}: the request body has no example"


def test_write_routes_document_idempotency_and_steps_document_if_match(client) -> None:
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        if "post" in operations:
            names = [p["name"] for p in operations["post"].get("parameters", [])]
            assert "Idempotency-Key" in names, path
    step_event = document["paths"]["/engagements/{engagement_id}/steps/{step_key}/events"]["post"]
    if_match = next(p for p in step_event["parameters"] if p["name"] == "If-Match")
    assert if_match["required"] is True
    assert {"409", "422", "428", "403"} <= set(step_event["responses"])
    get_step = document["paths"]["/engagements/{engagement_id}/steps/{step_key}"]["get"]
    assert "ETag" in get_step["responses"]["200"]["headers"]


def test_docs_are_served_without_internet(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    assert all(asset.startswith("/docs/assets/") for asset in assets)
    assert "http" not in "".join(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").json()["info"]["title"].startswith("gouvernance")


def test_the_documented_engagement_vocabulary_is_the_machine_s(app) -> None:
    """The states and events a client reads in the document are those the lifecycle knows, less the
    ``activate`` that launching sends itself."""
    schemas = app.openapi()["components"]["schemas"]
    machine_states = {state.id for state in EngagementMachine.states}
    assert set(schemas["EngagementState"]["enum"]) == machine_states
    assert set(schemas["EngagementEvent"]["enum"]) == set(machine_events(EngagementMachine)) - {"activate"}
    assert schemas["TerritoryIn"]["properties"]["kind"]["enum"] == list(TERRITORY_KINDS)
