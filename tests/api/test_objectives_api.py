"""Objectives over HTTP, as a chef de projet, élus and partners use them: define an objective and its
indicator, approve it by role, send measurements (a spreadsheet with bad lines is refused whole, in
problem+json), and read each objective's status with its reason."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"

INDICATOR = {
    "key": "participation",
    "label": "Taux de participation aux réunions publiques",
    "unit": "%",
    "baseline": 10,
    "baseline_on": "2026-01-01",
    "target": 40,
    "deadline": "2027-12-31",
    "direction": "hausse",
    "frequency": "trimestrielle",
    "source": "Registre des réunions publiques",
    "public": True,
}


def test_objectives_are_defined_approved_measured_and_evaluated(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}"
    chef, elu, partenaire = (team[role].headers for role in ("chef_de_projet", "elu", "partenaire"))

    created = client.post(
        f"{base}/objectives", headers=chef, json={"key": "associer", "title": "Associer les habitants"}
    )
    assert created.status_code == 201, created.text
    assert client.post(f"{base}/objectives", headers=elu, json={"key": "x", "title": "x"}).status_code == 403
    added = client.post(f"{base}/objectives/associer/indicators", headers=chef, json=INDICATOR)
    assert added.status_code == 201, added.text
    bad_direction = client.post(
        f"{base}/objectives/associer/indicators",
        headers=chef,
        json={**INDICATOR, "key": "k2", "direction": "up"},
    )
    assert bad_direction.status_code == 422
    assert bad_direction.headers["content-type"].startswith("application/problem+json")

    assert client.post(f"{base}/objectives/associer/approval", headers=elu).json()["approved_by"] == ["elu"]
    approved = client.post(f"{base}/objectives/associer/approval", headers=partenaire).json()
    assert approved == {"objective": "associer", "version": 2, "approved_by": ["elu", "partenaire"]}

    spreadsheet = "Indicateur;Date;Valeur\nparticipation;01/01/2027;25\nparticipation;01/13/2027;26\n"
    refused = client.post(
        f"{base}/measurements/import",
        headers=elu,
        files={"file": ("m.csv", spreadsheet.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "measurements.import_rejected"
    assert [r["details"]["line"] for r in refused.json()["reasons"]] == [3]
    [objective] = client.get(f"{base}/objectives", headers=elu).json()
    assert objective["indicators"][0]["latest"] is None  # nothing of the refused file was recorded

    good = spreadsheet.replace("01/13/2027;26", "01/02/2027;28")
    imported = client.post(
        f"{base}/measurements/import", headers=elu, files={"file": ("m.csv", good.encode(), "text/csv")}
    )
    assert imported.json() == {"recorded": 2}
    [objective] = client.get(f"{base}/objectives?au=2027-02-02", headers=team["observateur"].headers).json()
    # The last year's trend: 25 on 1 Jan 2027, 28 on 1 Feb (the baseline of 2026 is older than a year), so
    # 3/31 a day; 333 days later, on 31 Dec 2027, that gives about 60, beyond the target of 40.
    assert objective["status"] == "en_bonne_voie"
    assert objective["reason"].startswith("Taux de participation aux réunions publiques : au rythme actuel")
    assert objective["approved_by"] == ["elu", "partenaire"]
    assert objective["indicators"][0]["latest"] == {"date": "2027-02-01", "value": 28.0}


def test_the_decision_register_over_http(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}/decisions"
    chef, elu = team["chef_de_projet"].headers, team["elu"].headers
    deliberation = {
        "number": "2027-014",
        "title": "Adoption de la charte",
        "decided_on": "2027-03-14",
        "body": "conseil_municipal",
        "legal_basis": "CGCT L2121-29",
        "votes_for": 23,
        "votes_against": 4,
        "abstentions": 2,
        "published_on": "2027-03-10",
        "step_key": "b1",
    }
    refused = client.post(base, headers=chef, json=deliberation)
    assert refused.status_code == 422
    assert refused.json()["reasons"][0]["path"] == "published_on"  # published before it was taken
    assert client.post(base, headers=elu, json=deliberation).status_code == 403
    recorded = client.post(base, headers=chef, json={**deliberation, "published_on": "2027-03-18"})
    assert recorded.status_code == 201, recorded.text
    assert client.post(base, headers=chef, json=deliberation | {"published_on": None}).status_code == 409
    [listed] = client.get(base, headers=elu).json()
    assert listed["body"] == "conseil_municipal"
    assert (listed["votes_for"], listed["votes_against"], listed["abstentions"]) == (23, 4, 2)


def test_a_participatory_budget_over_http(client, make_team) -> None:
    team = make_team("budget-participatif", enveloppe_eur=100_000, plafond_projet_eur=70_000)
    base = f"/engagements/{team.engagement_id}/budget"
    chef, agent, partenaire = (team[role].headers for role in ("chef_de_projet", "agent", "partenaire"))
    numbers = []
    for title, cost, votes in (("Jardin partagé", "60000", 900), ("Pistes cyclables", "50000", 800)):
        submitted = client.post(f"{base}/proposals", headers=partenaire, json={"title": title})
        assert submitted.status_code == 201, submitted.text
        number = submitted.json()["number"]
        numbers.append(number)
        assert client.put(
            f"{base}/proposals/{number}/cost", headers=agent, json={"estimated_cost": cost}
        ).is_success
        for status in ("recevable", "faisable", "soumise_au_vote"):
            moved = client.post(f"{base}/proposals/{number}/status", headers=agent, json={"status": status})
            assert moved.status_code == 200, moved.text
        counted = client.post(
            f"{base}/votes", headers=agent, json={"proposal": number, "channel": "urne", "votes": votes}
        )
        assert counted.status_code == 204, counted.text
    assert (
        client.post(f"{base}/proposals/1/status", headers=partenaire, json={"status": "laureate"}).status_code
        == 403
    )
    assert client.get(f"{base}/results", headers=partenaire).json() == {
        "closed": False,
        "envelope": None,
        "results": [],
    }
    closed = client.post(f"{base}/vote/close", headers=chef)
    assert closed.status_code == 200, closed.text
    results = client.get(f"{base}/results", headers=partenaire).json()
    assert [(r["number"], r["votes"], r["won"]) for r in results["results"]] == [
        (numbers[0], 900, True),
        (numbers[1], 800, False),
    ]
    assert client.post(f"{base}/vote/close", headers=chef).status_code == 409


def test_each_indicator_has_its_chart_as_svg(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}"
    chef, elu = team["chef_de_projet"].headers, team["elu"].headers
    client.post(
        f"{base}/objectives", headers=chef, json={"key": "associer", "title": "Associer les habitants"}
    )
    client.post(f"{base}/objectives/associer/indicators", headers=chef, json=INDICATOR)
    measures = [{"indicator": "participation", "date": "2027-01-01", "value": 25}]
    measures.append({"indicator": "participation", "date": "2027-02-01", "value": 28})
    assert (
        client.post(f"{base}/measurements", headers=elu, json={"measurements": measures}).status_code == 200
    )

    chart = client.get(
        f"{base}/indicators/participation/chart.svg?au=2027-02-02", headers=team["observateur"].headers
    )
    assert chart.status_code == 200, chart.text
    assert chart.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(chart.text)
    assert root.findtext(f"{SVG}title") == "Taux de participation aux réunions publiques : en bonne voie"
    shown = ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]
    assert "Cible : 40\u00a0%" in shown
    assert "28\u00a0%" in shown

    missing = client.get(f"{base}/indicators/inconnu/chart.svg", headers=elu)
    assert missing.status_code == 404
    assert missing.json()["code"] == "indicator.not_found"
