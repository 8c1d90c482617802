"""The timeline (paginated, filtered) and the caller's own view: roles and tasks by due date."""

from __future__ import annotations

from tests.api.conftest import send


def test_the_timeline_is_paginated_and_filtered(client, make_team) -> None:
    team = make_team()
    consultant, elu = team["consultant"], team["elu"]
    send(client, consultant, team.engagement_id, "a1", "start")
    send(client, elu, team.engagement_id, "a1", "endorse", comment="vu")
    path = f"/engagements/{team.engagement_id}/timeline"
    everything = client.get(path, headers=elu.headers).json()
    events = [item["event"] for item in everything["items"]]
    assert events[:2] == ["launched", "activate"]
    assert events[-2:] == ["start", "endorse"]
    assert everything["total"] == len(events)
    page = client.get(path, params={"limit": 2, "offset": 1}, headers=elu.headers).json()
    assert [i["id"] for i in page["items"]] == [i["id"] for i in everything["items"][1:3]]
    by_type = client.get(path, params=[("type", "start"), ("type", "endorse")], headers=elu.headers).json()
    assert [i["event"] for i in by_type["items"]] == ["start", "endorse"]
    by_actor = client.get(path, params={"actor": elu.login}, headers=elu.headers).json()
    assert [(i["event"], i["actor_role"], i["comment"]) for i in by_actor["items"]] == [
        ("endorse", "elu", "vu")
    ]
    by_step = client.get(path, params={"step": "a1", "type": "make_ready"}, headers=elu.headers).json()
    assert by_step["total"] == 1
    assert by_step["items"][0]["label"] == "Rendre prête"


def test_me_and_my_tasks_sorted_by_due_date(client, make_team, directory) -> None:
    team = make_team()
    consultant = team["consultant"]
    me = client.get("/me", headers=consultant.headers).json()
    assert me["login"] == consultant.login
    assert {"role": "consultant", "engagement_id": None} in me["grants"]
    second = make_team()
    tasks = client.get("/me/tasks", headers=consultant.headers).json()
    ours = [t for t in tasks if t["engagement_id"] in (team.engagement_id, second.engagement_id)]
    assert {t["step_key"] for t in ours} == {"a1"}
    dues = [t["due_at"] for t in tasks]
    assert dues == sorted(dues)
    assert client.get("/me/tasks", headers=team["elu"].headers).json() == []  # no actionable step is an élu's
