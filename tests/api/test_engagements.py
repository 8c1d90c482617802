"""Engagements over HTTP: launch (201 + Location), the filtered and paginated portfolio, progress, and the
engagement's own events."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import launch, launch_body, send


def test_launch_answers_201_with_location_and_progress(client, consultant) -> None:
    response = client.post(
        "/engagements", json=launch_body("gouvernance-partagee"), headers=consultant.headers
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/engagements/{body['id']}"
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert (body["state"], body["organisation"], body["your_roles"]) == (
        "active",
        consultant.organisation,
        ["consultant"],
    )
    latest = client.get("/process-models/gouvernance-partagee", headers=consultant.headers).json()
    assert body["model"] == {
        "key": "gouvernance-partagee",
        "version": latest["version"],
        "title": latest["title"],
    }
    assert body["stages"][0]["status"] == "in_progress"
    assert body["percent_done"] == 0
    again = client.get(response.headers["location"], headers=consultant.headers)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


def test_launch_reports_every_problem_of_the_body(client, consultant) -> None:
    body = launch_body("mini", population="beaucoup", inconnu=1)
    body["territory"] = {"name": "Orléans", "kind": "commune", "insee": "ABC"}
    response = client.post("/engagements", json=body, headers=consultant.headers)
    assert response.status_code == 422
    assert {r["code"] for r in response.json()["reasons"]} == {"parameter.unknown", "parameter.invalid"}
    unknown_model = client.post("/engagements", json=launch_body("nulle-part"), headers=consultant.headers)
    assert unknown_model.status_code == 422
    assert unknown_model.json()["code"] == "launch.model"
    bad_kind = launch_body()
    bad_kind["territory"] = {"name": "Loiret", "kind": "canton"}
    invalid = client.post("/engagements", json=bad_kind, headers=consultant.headers)
    assert invalid.status_code == 422
    assert invalid.json()["reasons"][0]["path"] == "territory.kind"


def test_only_leads_of_the_organisation_may_launch(client, directory) -> None:
    organisation = directory.organisation()
    elu = directory.person(organisation, org_roles=("elu",))
    response = client.post("/engagements", json=launch_body(), headers=elu.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "access.role_required"


def test_the_portfolio_is_filtered_and_paginated(client, directory, clock) -> None:
    organisation = directory.organisation("cabinet")
    lead = directory.person(organisation, org_roles=("consultant",))
    ids = [launch(client, lead) for _ in range(3)]
    other_body = launch_body("kinds")
    other_body["territory"] = {"name": "Montargis 100% participatif", "kind": "commune"}
    other = client.post("/engagements", json=other_body, headers=lead.headers).json()["id"]

    page = client.get("/engagements", params={"limit": 2}, headers=lead.headers).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (4, 2, 2, 0)
    rest = client.get("/engagements", params={"limit": 2, "offset": 2}, headers=lead.headers).json()
    assert {e["id"] for e in page["items"] + rest["items"]} == {*ids, other}

    by_model = client.get("/engagements", params={"model": "kinds"}, headers=lead.headers).json()
    assert [e["id"] for e in by_model["items"]] == [other]
    by_territory = client.get("/engagements", params={"territory": "100%"}, headers=lead.headers).json()
    assert [e["id"] for e in by_territory["items"]] == [other]

    assert client.get("/engagements", params={"overdue": "true"}, headers=lead.headers).json()["total"] == 0
    clock.advance(timedelta(days=30))
    late = client.get("/engagements", params={"overdue": "true"}, headers=lead.headers).json()
    assert late["total"] == 4
    assert all(e["overdue_count"] >= 1 for e in late["items"])
    detail = client.get(f"/engagements/{ids[0]}", headers=lead.headers).json()
    listed = {e["id"]: e for e in late["items"]}[ids[0]]
    assert (detail["overdue_count"], detail["next_due_at"], detail["percent_done"]) == (
        listed["overdue_count"],
        listed["next_due_at"],
        listed["percent_done"],
    )

    send(client, lead, ids[0], "a1", "start")
    suspended = client.post(
        f"/engagements/{ids[0]}/events",
        json={"event": "suspend", "comment": "Réserve électorale"},
        headers=lead.headers,
    )
    assert suspended.status_code == 200
    states = client.get("/engagements", params={"state": "suspended"}, headers=lead.headers).json()
    assert [e["id"] for e in states["items"]] == [ids[0]]


def test_engagement_events_go_through_the_door(client, make_team) -> None:
    team = make_team()
    lead, path = team["consultant"], f"/engagements/{team.engagement_id}/events"
    without_reason = client.post(path, json={"event": "suspend"}, headers=lead.headers)
    assert without_reason.status_code == 422
    assert without_reason.json()["reasons"][0]["code"] == "rule.reason_required"
    suspended = client.post(
        path, json={"event": "suspend", "comment": "Pause estivale"}, headers=lead.headers
    )
    assert suspended.status_code == 200
    assert suspended.json()["to_state"] == "suspended"
    blocked = send(client, lead, team.engagement_id, "a1", "start")
    assert blocked.status_code == 422
    assert blocked.json()["reasons"][0]["code"] == "rule.engagement_not_active"
    stale = client.post(path, json={"event": "resume"}, headers={**lead.headers, "If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["current_state"] == "suspended"
    resumed = client.post(
        path, json={"event": "resume"}, headers={**lead.headers, "If-Match": suspended.headers["etag"]}
    )
    assert resumed.status_code == 200
    assert resumed.json()["to_state"] == "active"
    elu = client.post(path, json={"event": "cancel", "comment": "non"}, headers=team["elu"].headers)
    assert elu.status_code == 403
    unfinished = client.post(path, json={"event": "complete"}, headers=lead.headers)
    assert unfinished.status_code == 422
    assert unfinished.json()["reasons"][0]["code"] == "rule.steps_open"
    not_an_event = client.post(path, json={"event": "activate"}, headers=lead.headers)
    assert not_an_event.status_code == 422


def test_the_api_launch_carries_the_warning(client, consultant) -> None:
    body = {**launch_body("gouvernance-partagee", population=21000), "start_date": "2031-01-06"}
    response = client.post("/engagements", json=body, headers=consultant.headers)
    assert response.status_code == 201, response.text
    [warning] = response.json()["warnings"]
    assert warning["code"] == "launch.pre_electoral_period"
    assert "période pré-électorale" in warning["message"]
