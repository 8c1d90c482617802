"""Errors are problem+json everywhere, validation included; never a traceback, never a 500 for bad input."""

from __future__ import annotations

import logging

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from gouvernance.api.permissions import HealthAccess
from tests.api.conftest import step_path


def test_validation_errors_are_problems_with_paths_in_french_or_english(client, make_team) -> None:
    team = make_team()
    path = f"{step_path(team.engagement_id, 'a1')}/events"
    headers = {**team["consultant"].headers, "If-Match": '"2"'}
    response = client.post(path, json={"event": "Start!", "extra": 1}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {r["path"] for r in problem["reasons"]} == {"event", "extra"}
    assert {r["code"] for r in problem["reasons"]} == {
        "validation.string_pattern_mismatch",
        "validation.extra_forbidden",
    }
    assert problem["reasons"][0]["message"] in {"format invalide", "champ inconnu"}
    english = client.post(path, json={"event": "Start!"}, headers={**headers, "Accept-Language": "en"})
    assert "pattern" in english.json()["reasons"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b"null", b'"text"', b'{"event": 12}', '{"event": "\u00e9"}'.encode(), b"\xff\xfe"],
)
def test_malformed_bodies_are_422_problems(client, make_team, body: bytes) -> None:
    team = make_team()
    response = client.post(
        f"{step_path(team.engagement_id, 'a1')}/events",
        content=body,
        headers={**team["consultant"].headers, "If-Match": '"2"', "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_routes_and_methods_are_problems(client) -> None:
    missing = client.get("/nulle-part")
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
    wrong_method = client.delete("/healthz")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "http.405")


def test_a_body_over_the_limit_is_413_before_it_is_read(client, consultant) -> None:
    response = client.post(
        "/engagements",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={**consultant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"


def test_an_unexpected_error_is_a_500_problem_without_traceback(app, caplog) -> None:
    router = APIRouter()

    @router.get("/boom")
    def boom(access: HealthAccess) -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(router)
    with TestClient(app) as client, caplog.at_level(logging.ERROR, logger="gouvernance.api"):
        response = client.get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "internal.error"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "secret internal detail" in caplog.text


def test_an_unreadable_body_is_a_documented_400(client, consultant) -> None:
    response = client.post(
        "/engagements",
        content=b"a\x16\x15U\xffW\xfer+F\x08",
        headers={**consultant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    operation = client.get("/openapi.json").json()["paths"]["/engagements"]["post"]
    assert str(response.status_code) in operation["responses"]


def test_readiness_needs_a_reachable_and_migrated_database(tmp_path, api_catalog) -> None:
    from gouvernance.api.app import create_app
    from gouvernance.db.engine import Database
    from gouvernance.settings import Settings

    empty = Database(f"sqlite:///{tmp_path / 'vide.db'}")
    app = create_app(Settings(data_dir=tmp_path), database=empty, catalog=api_catalog)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    empty.dispose()
    assert (response.status_code, response.json()["code"]) == (503, "database.not_migrated")
