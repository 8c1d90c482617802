"""Steps over HTTP: ETag and If-Match (428, 409 with the current state), guards named with their reason
(422), roles (403), what the caller may do next, and both languages."""

from __future__ import annotations

from sqlalchemy import func, select

from gouvernance.history.records import EventRow
from tests.api.conftest import send, step_path


def _events(db, engagement_id: str) -> int:
    with db.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(EventRow).where(EventRow.engagement_id == engagement_id)
            )
        )


def test_a_step_carries_its_version_as_a_strong_etag(client, make_team) -> None:
    team = make_team()
    response = client.get(step_path(team.engagement_id, "a1"), headers=team["consultant"].headers)
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert response.json()["state"] == "ready"


def test_missing_if_match_is_428_and_writes_nothing(client, db, make_team) -> None:
    team = make_team()
    before = _events(db, team.engagement_id)
    response = client.post(
        f"{step_path(team.engagement_id, 'a1')}/events",
        json={"event": "start"},
        headers=team["consultant"].headers,
    )
    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "precondition.if_match_required"
    assert _events(db, team.engagement_id) == before


def test_stale_if_match_is_409_with_the_current_state_and_version(client, db, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    etag = client.get(step_path(team.engagement_id, "a1"), headers=consultant.headers).headers["etag"]
    first = client.post(
        f"{step_path(team.engagement_id, 'a1')}/events",
        json={"event": "start"},
        headers={**consultant.headers, "If-Match": etag},
    )
    assert first.status_code == 200
    assert first.headers["etag"] == f'"{first.json()["version"]}"'
    before = _events(db, team.engagement_id)
    stale = client.post(
        f"{step_path(team.engagement_id, 'a1')}/events",
        json={"event": "submit"},
        headers={**consultant.headers, "If-Match": etag},
    )
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["code"] == "transition.stale_version"
    assert (problem["current_state"], problem["current_version"]) == ("in_progress", first.json()["version"])
    assert _events(db, team.engagement_id) == before


def test_if_match_accepts_weak_and_bare_forms_and_refuses_the_rest(client, make_team) -> None:
    team = make_team()
    consultant, path = team["consultant"], f"{step_path(team.engagement_id, 'a1')}/events"
    version = client.get(step_path(team.engagement_id, "a1"), headers=consultant.headers).json()["version"]
    weak = client.post(
        path, json={"event": "start"}, headers={**consultant.headers, "If-Match": f'W/"{version}"'}
    )
    assert weak.status_code == 200
    for value, status in (("*", 428), ("banana", 400), ('"1", "2"', 400)):
        response = client.post(
            path, json={"event": "submit"}, headers={**consultant.headers, "If-Match": value}
        )
        assert response.status_code == status, value
        assert response.headers["content-type"] == "application/problem+json"
    bare = client.post(
        path, json={"event": "endorse"}, headers={**consultant.headers, "If-Match": str(version + 1)}
    )
    assert bare.status_code == 200


def test_a_failed_guard_is_422_naming_the_guard_and_why(client, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    assert send(client, consultant, team.engagement_id, "a1", "start").status_code == 200
    refused = send(client, consultant, team.engagement_id, "a1", "submit")
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "transition.refused"
    assert [r["code"] for r in problem["reasons"]] == ["guard.evidence_missing"]
    assert "note juridique" in problem["reasons"][0]["message"]
    assert problem["reasons"][0]["details"]["label"] == "note juridique"


def test_a_role_not_allowed_is_403(client, make_team) -> None:
    team = make_team()
    response = send(client, team["elu"], team.engagement_id, "a1", "start")
    assert response.status_code == 403
    assert response.json()["code"] == "transition.role_not_allowed"


def test_an_observer_may_read_but_not_act(client, make_team) -> None:
    team = make_team()
    observer = team["observateur"]
    assert client.get(step_path(team.engagement_id, "a1"), headers=observer.headers).status_code == 200
    response = send(client, observer, team.engagement_id, "a1", "start")
    assert response.status_code == 403
    assert response.json()["code"] == "access.role_required"


def test_steps_list_the_events_the_caller_may_send_with_each_guard(client, make_team) -> None:
    team = make_team()
    consultant, chef = team["consultant"], team["chef_de_projet"]
    send(client, consultant, team.engagement_id, "a1", "start")
    steps = {
        s["key"]: s
        for s in client.get(f"/engagements/{team.engagement_id}/steps", headers=consultant.headers).json()
    }
    a1 = steps["a1"]
    assert (a1["state"], a1["role"]) == ("in_progress", "consultant")
    submit = next(action for action in a1["actions"] if action["event"] == "submit")
    assert submit["possible"] is False
    assert [(g["rule"], g["passed"]) for g in submit["guards"]] == [("evidence_attached", False)]
    endorse = next(action for action in a1["actions"] if action["event"] == "endorse")
    assert endorse["possible"] is True
    # The reviewer sees other events; the skip a reviewer could send needs a comment.
    chef_view = client.get(f"/engagements/{team.engagement_id}/steps", headers=chef.headers).json()
    b2 = next(step for step in chef_view if step["key"] == "b2")
    assert b2["actions"] == [] or all(a["event"] != "start" for a in b2["actions"])
    assert "submit" not in [a["event"] for s in chef_view if s["key"] == "a1" for a in s["actions"]]


def test_the_reason_an_event_is_not_possible_shows_before_sending(client, make_team) -> None:
    team = make_team(population=12_000)
    chef = team["chef_de_projet"]
    step = client.get(step_path(team.engagement_id, "b2"), headers=chef.headers).json()
    assert step["state"] == "pending"
    skip = next(action for action in step["actions"] if action["event"] == "skip")
    assert skip["requires_comment"] is True
    assert skip["possible"] is False
    assert [(g["rule"], g["passed"]) for g in skip["guards"]] == [("parameter", False)]
    assert [r["code"] for r in skip["refusals"]] == ["guard.parameter_condition"]
    small = make_team(population=800)
    skip = next(
        action
        for action in client.get(
            step_path(small.engagement_id, "b2"), headers=small["chef_de_projet"].headers
        ).json()["actions"]
        if action["event"] == "skip"
    )
    assert skip["possible"] is True


def test_messages_are_french_by_default_and_english_on_request(client, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    send(client, consultant, team.engagement_id, "a1", "start")
    french = send(client, consultant, team.engagement_id, "a1", "submit")
    english = send(
        client, consultant, team.engagement_id, "a1", "submit", headers={"Accept-Language": "en-GB,fr;q=0.5"}
    )
    assert "refusé" in french.json()["detail"]
    assert french.headers["content-language"] == "fr"
    assert "refused" in english.json()["detail"]
    assert english.headers["content-language"] == "en"
    assert english.json()["title"] == "Unprocessable content"
    labels = client.get(
        step_path(team.engagement_id, "a1"), headers={**consultant.headers, "Accept-Language": "en"}
    )
    assert labels.json()["state_label"] == "In progress"


def test_unknown_step_and_unknown_event(client, make_team) -> None:
    team = make_team()
    consultant = team["consultant"]
    missing = client.get(step_path(team.engagement_id, "nope"), headers=consultant.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "step.not_found"
    unknown = send(client, consultant, team.engagement_id, "a1", "fly")
    assert unknown.status_code == 422
    assert unknown.json()["reasons"][0]["code"] == "transition.unknown_event"


def test_whoever_put_work_under_review_cannot_approve_it_too(client, make_team, directory) -> None:
    # The « kinds » consultation: its role and its reviewer are both the chef de projet.
    team = make_team("kinds")
    chef = team["chef_de_projet"]
    for event in ("start", "open_consultation", "close_consultation"):
        assert send(client, chef, team.engagement_id, "consultation", event).status_code == 200
    refused = send(client, chef, team.engagement_id, "consultation", "approve")
    assert refused.status_code == 422
    problem = refused.json()
    assert [reason["code"] for reason in problem["reasons"]] == ["rule.self_approval"]
    assert "séparation des tâches" in problem["detail"]
    colleague = directory.person(chef.organisation, on={team.engagement_id: ("chef_de_projet",)})
    approved = send(client, colleague, team.engagement_id, "consultation", "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["to_state"] == "done"


def _send_back(client, person, engagement_id: str, steps: object):
    etag = client.get(step_path(engagement_id, "a_rev"), headers=person.headers).headers["etag"]
    return client.post(
        f"{step_path(engagement_id, 'a_rev')}/events",
        json={"event": "send_back", "comment": "Risque juridique", "steps": steps},
        headers={**person.headers, "If-Match": etag},
    )


def test_send_back_reopens_the_steps_the_sender_chooses(client, db, clock, make_team, people) -> None:
    from tests.engagements.helpers import finish_a1_a2

    team = make_team()
    finish_a1_a2(db, clock, team.engagement_id, people)
    assert send(client, team["consultant"], team.engagement_id, "a_rev", "start").status_code == 200
    before = _events(db, team.engagement_id)
    refused = _send_back(client, team["elu"], team.engagement_id, ["a2", "b1"])
    assert refused.status_code == 422
    assert [reason["code"] for reason in refused.json()["reasons"]] == ["rule.send_back_steps_unlisted"]
    assert "« b1 » (possibles : « a1 », « a2 »)" in refused.json()["detail"]
    assert _events(db, team.engagement_id) == before
    sent = _send_back(client, team["elu"], team.engagement_id, ["a2"])
    assert sent.status_code == 200, sent.text
    states = {
        s["key"]: s["state"]
        for s in client.get(f"/engagements/{team.engagement_id}/steps", headers=team["elu"].headers).json()
    }
    assert (states["a_rev"], states["a1"], states["a2"]) == ("pending", "done", "reopened")
