"""The convention's parties, the training sessions with their attendance and the communication plan over
HTTP, as the engagement's people use them: leads (and agents, for training) write, everyone reads; bad input
is a French 422 in problem+json, never a 500; a missing row is a 404."""

from __future__ import annotations

from decimal import Decimal

PARTY = {
    "name": "Centre social La Passerelle",
    "kind": "association",
    "representative": "Olivier Caron",
    "representative_title": "Directeur",
    "contributions": ["Animation de six ateliers"],
    "commitments": ["Remettre un bilan annuel"],
    "valuation_eur": "7200",
}
SESSION = {
    "title": "Le rôle de l'élu",
    "held_on": "2026-06-12",
    "duration_hours": "3.5",
    "audience": "elus",
    "trainer": "Institut Territoires",
    "trainer_approved": True,
    "dif_funded": True,
    "objectives": ["Situer le rôle de l'élu"],
}
ACTION = {
    "title": "Dossier dans le bulletin municipal",
    "audience": "Tous les habitants",
    "channel": "bulletin_municipal",
    "starts_on": "2026-04-01",
    "ends_on": "2026-04-30",
    "owner": "Service communication",
    "budget_eur": "1800",
}


def _problem(response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_convention_parties_over_http(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}/convention/parties"
    chef, elu = team["chef_de_projet"].headers, team["elu"].headers

    created = client.post(base, headers=chef, json=PARTY)
    assert created.status_code == 201, created.text
    party = created.json()
    assert (Decimal(party["valuation_eur"]), party["version"]) == (7200, 1)
    assert client.post(base, headers=elu, json=PARTY).status_code == 403
    assert _problem(client.post(base, headers=chef, json=PARTY), 409)["code"] == "convention.party_exists"

    bad = _problem(client.post(base, headers=chef, json={**PARTY, "name": "Nom\u0000", "kind": "club"}))
    assert {reason["path"] for reason in bad["reasons"]} == {"name", "kind"}
    unknown = _problem(
        client.post(base, headers=chef, json={**PARTY, "name": "Autre", "stakeholder_id": 999999})
    )
    assert unknown["code"] == "convention.unknown_stakeholder"
    assert unknown["detail"] == "partie prenante inconnue dans cet accompagnement : 999999"

    largest = client.post(
        base, headers=chef, json={**PARTY, "name": "Région", "valuation_eur": "100000000000"}
    )
    assert largest.status_code == 201, largest.text  # the largest amount the column holds
    assert _problem(client.post(base, headers=chef, json={**PARTY, "name": "R", "valuation_eur": "1e12"}))
    assert client.delete(f"{base}/{largest.json()['id']}", headers=chef).status_code == 204

    patched = client.patch(
        f"{base}/{party['id']}", headers=chef, json={"representative": "Inès Caron", "version": 1}
    )
    assert patched.json()["representative"] == "Inès Caron"
    assert _problem(client.patch(f"{base}/{party['id']}", headers=chef, json={"version": 1}), 409)
    assert _problem(client.patch(f"{base}/{party['id']}", headers=chef, json={"name": None}))["code"] == (
        "patch.null_not_allowed"
    )
    assert _problem(client.patch(f"{base}/999999", headers=chef, json={}), 404)["code"] == (
        "convention.party_not_found"
    )
    assert [p["name"] for p in client.get(base, headers=team["observateur"].headers).json()] == [
        PARTY["name"]
    ]
    assert client.delete(f"{base}/{party['id']}", headers=chef).status_code == 204
    assert _problem(client.delete(f"{base}/{party['id']}", headers=chef), 404)
    assert client.get(base, headers=elu).json() == []


def test_training_sessions_and_attendance_over_http(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}/training"
    agent, partenaire = team["agent"].headers, team["partenaire"].headers

    created = client.post(f"{base}/sessions", headers=agent, json=SESSION)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    assert client.post(f"{base}/sessions", headers=partenaire, json=SESSION).status_code == 403
    dif = _problem(
        client.post(
            f"{base}/sessions", headers=agent, json={**SESSION, "title": "x", "trainer_approved": False}
        )
    )
    assert dif["code"] == "training.dif_needs_approved_body"
    assert "organisme agréé" in str(dif)
    too_long = _problem(
        client.post(f"{base}/sessions", headers=agent, json={**SESSION, "duration_hours": "900"})
    )
    assert too_long["status"] == 422

    people = f"{base}/sessions/{session_id}/attendees"
    helene = client.post(people, headers=agent, json={"name": "Hélène Marchand", "quality": "Présidente"})
    assert helene.status_code == 201, helene.text
    early = _problem(client.patch(f"{people}/{helene.json()['id']}", headers=agent, json={"present": True}))
    assert early["code"] == "training.session_not_held"
    held = client.patch(
        f"{base}/sessions/{session_id}", headers=agent, json={"status": "tenue", "version": 1}
    )
    assert held.json()["status"] == "tenue"
    marked = client.patch(f"{people}/{helene.json()['id']}", headers=agent, json={"present": True})
    assert marked.json()["present"] is True
    client.post(people, headers=agent, json={"name": "Gérard Lemoine", "present": False})
    assert (
        _problem(client.post(f"{base}/sessions/999999/attendees", headers=agent, json={"name": "x"}), 404)[
            "code"
        ]
        == "training.session_not_found"
    )
    assert _problem(client.patch(f"{people}/999999", headers=agent, json={"present": True}), 404)

    review = client.get(f"{base}/review", headers=partenaire).json()
    assert (review["held"], review["planned"]) == (1, 0)
    assert review["by_audience"] == [
        {"audience": "elus", "attendance": {"expected": 2, "present": 1, "absent": 1, "rate": "50.0"}}
    ]
    assert [a["name"] for a in client.get(people, headers=partenaire).json()] == [
        "Hélène Marchand",
        "Gérard Lemoine",
    ]
    assert client.delete(f"{base}/sessions/{session_id}", headers=agent).status_code == 204
    assert client.get(f"{base}/sessions", headers=partenaire).json() == []


def test_the_communication_plan_over_http(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}/communication/actions"
    chef, agent = team["chef_de_projet"].headers, team["agent"].headers

    created = client.post(base, headers=chef, json=ACTION)
    assert created.status_code == 201, created.text
    assert client.post(base, headers=agent, json=ACTION).status_code == 403
    reversed_period = _problem(
        client.post(base, headers=chef, json={**ACTION, "title": "y", "ends_on": "2026-03-01"})
    )
    assert reversed_period["code"] == "communication.period_reversed"
    assert reversed_period["reasons"][0]["path"] == "ends_on"
    bad_channel = _problem(client.post(base, headers=chef, json={**ACTION, "channel": "pigeon"}))
    assert bad_channel["status"] == 422
    control = _problem(client.post(base, headers=chef, json={**ACTION, "title": "a\u0007b"}))
    assert control["status"] == 422
    action_id = created.json()["id"]
    done = client.patch(f"{base}/{action_id}", headers=chef, json={"status": "realisee"})
    assert (done.json()["status"], done.json()["version"]) == ("realisee", 2)
    assert _problem(client.patch(f"{base}/999999", headers=chef, json={"status": "realisee"}), 404)
    listed = client.get(base, headers=team["observateur"].headers).json()
    assert [(a["title"], Decimal(a["budget_eur"])) for a in listed] == [(ACTION["title"], 1800)]
    assert client.delete(f"{base}/{action_id}", headers=chef).status_code == 204


def test_unknown_engagement_is_404(client, make_team) -> None:
    team = make_team("mini")
    for path in ("convention/parties", "training/sessions", "training/review", "communication/actions"):
        response = client.get(f"/engagements/inconnu/{path}", headers=team["consultant"].headers)
        assert response.status_code == 404, path
