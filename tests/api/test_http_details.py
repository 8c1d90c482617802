"""HTTP contract details clients rely on: Idempotency-Key examples, If-Match when empty, the evidence body,
the methods a path accepts (405 with every one of them in Allow) and the ETag of a 409."""

from __future__ import annotations

import re

from tests.api.conftest import launch, step_path

OTHER_METHODS = ("PUT", "PATCH", "DELETE", "POST")


def test_no_two_routes_share_an_example_idempotency_key(app) -> None:
    """Swagger UI fills parameters in from their examples: a shared one would make every trial a replay."""
    examples = [
        example
        for path in app.openapi()["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "Idempotency-Key"
        for example in [*parameter.get("examples", {}).values(), parameter.get("example")]
        if example is not None
    ]
    assert len(examples) == len(set(map(str, examples)))


def test_an_empty_if_match_is_answered_as_a_missing_one(client, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    path = f"{step_path(team.engagement_id, 'a1')}/events"
    for if_match in ("", "  "):
        response = client.post(
            path, json={"event": "start"}, headers={**consultant.headers, "If-Match": if_match}
        )
        assert response.status_code == 428
        assert response.json()["code"] == "precondition.if_match_empty"
    missing = client.post(path, json={"event": "start"}, headers=consultant.headers)
    assert missing.status_code == 428
    on_engagement = client.post(
        f"/engagements/{team.engagement_id}/events",
        json={"event": "suspend", "comment": "Période de réserve"},
        headers={**consultant.headers, "If-Match": ""},
    )
    assert on_engagement.status_code == 428
    assert "absent ou vide" in client.get("/openapi.json").text


def test_the_evidence_body_says_a_file_or_a_link_is_required(app) -> None:
    operation = app.openapi()["paths"]["/engagements/{engagement_id}/steps/{step_key}/evidence"]["post"]
    reference = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    body = app.openapi()["components"]["schemas"][reference.split("/")[-1]]
    for field in ("file", "url"):
        assert "l'un des deux est obligatoire" in body["properties"][field]["description"]
    assert "file" not in body.get("required", [])
    assert "url" not in body.get("required", [])
    assert "Exactement l'un de `file` ou `url`" in operation["description"]


def _concrete(path: str, engagement_id: str) -> str:
    values = {"engagement_id": engagement_id, "step_key": "a1"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], "1"), path)


def test_a_405_allows_every_method_of_its_path(client, consultant) -> None:
    engagement_id = launch(client, consultant)
    unchecked = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        documented = {method.upper() for method in operations}
        method = next(m for m in OTHER_METHODS if m not in documented)
        response = client.request(method, _concrete(path, engagement_id), headers=consultant.headers)
        if response.status_code != 405 or set(response.headers["allow"].split(", ")) != documented:
            unchecked.append((method, path, response.status_code, response.headers.get("allow")))
    assert unchecked == []


def test_a_fixed_path_that_a_parametrised_one_also_matches_answers_405(client, make_team) -> None:
    team = make_team()
    response = client.patch(
        f"/engagements/{team.engagement_id}/stakeholders/export", json={}, headers=team["consultant"].headers
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"
    unknown = client.patch(
        f"/engagements/{team.engagement_id}/stakeholders/pas-un-nombre",
        json={},
        headers=team["consultant"].headers,
    )
    assert unknown.status_code == 422


def test_a_409_on_a_stale_version_carries_the_current_etag(client, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    path = step_path(team.engagement_id, "a1")
    stale = client.post(
        f"{path}/events", json={"event": "start"}, headers={**consultant.headers, "If-Match": '"99"'}
    )
    assert stale.status_code == 409
    assert stale.headers["etag"] == client.get(path, headers=consultant.headers).headers["etag"]
    assert stale.headers["etag"] == f'"{stale.json()["current_version"]}"'


def test_every_operation_taking_an_idempotency_key_documents_the_409_in_progress(app) -> None:
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if "Idempotency-Key" in names:
                assert "409" in operation["responses"], f"{method} {path}"
