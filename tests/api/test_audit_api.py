"""GET /engagements/{id}/audit: the chain's report, readable by whoever reads the timeline."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.conftest import send


def test_an_intact_chain_then_an_event_inserted_behind_the_register(client, make_team, db) -> None:
    team = make_team()
    consultant, elu = team["consultant"], team["elu"]
    send(client, consultant, team.engagement_id, "a1", "start")
    path = f"/engagements/{team.engagement_id}/audit"
    report = client.get(path, headers=elu.headers).json()
    assert report["ok"] is True
    assert report["anomalies"] == []
    assert report["entries"] == report["head"]["seq"] >= 3
    with db.engine.begin() as connection:  # INSERT is what the triggers do not refuse
        connection.execute(
            text(
                "INSERT INTO events (engagement_id, step_key, event, actor, occurred_at, payload) "
                "VALUES (:e, 'a1', 'approve', 'quelquun', '2026-03-01 08:00:00', '{}')"
            ),
            {"e": team.engagement_id},
        )
    report = client.get(path, headers=elu.headers).json()
    assert report["ok"] is False
    (anomaly,) = report["anomalies"]
    assert anomaly["code"] == "inserted"
    assert anomaly["kind"] == "event"
    assert "absent de la chaîne" in anomaly["message"]


def test_the_audit_is_refused_to_an_outsider_and_unknown_engagements_are_404(client, make_team) -> None:
    team, other = make_team(), make_team()
    outsider = other["elu"]
    refused = client.get(f"/engagements/{team.engagement_id}/audit", headers=outsider.headers)
    assert refused.status_code in (403, 404)
    assert refused.headers["content-type"].startswith("application/problem+json")
    missing = client.get("/engagements/inconnu/audit", headers=team["elu"].headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
