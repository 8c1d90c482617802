"""The stakeholder register over HTTP: CRUD, the all-or-nothing import, exports without personal data unless
asked for by a lead, the analysis and the pictures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

CSV = (
    "Nom;Type;Catégorie;Pouvoir;Intérêt;Attitude;Courriel\n"
    "Mairie annexe;organisation;Partenaire institutionnel;5;4;favorable;\n"
    "Collectif du bocage;organisation;Association;4;5;opposé;contact@bocage.example\n"
    "Jeanne Martin;personne;Habitant/usager;1;5;neutre;jeanne@example.org\n"
)


def test_register_crud_import_export_and_pictures(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}"
    chef, observer = team["chef_de_projet"].headers, team["observateur"].headers

    bad = "Nom;Type;Catégorie;Pouvoir;Intérêt\nA;organisation;Association;9;1\nB;robot;Association;2;2\n"
    rejected = client.post(
        f"{base}/stakeholders/import", headers=chef, files={"file": ("pp.csv", bad.encode(), "text/csv")}
    )
    assert rejected.status_code == 422
    assert rejected.headers["content-type"].startswith("application/problem+json")
    lines = {r["details"].get("line") for r in rejected.json()["reasons"] if "line" in r.get("details", {})}
    assert lines == {2, 3}
    assert client.get(f"{base}/stakeholders", headers=chef).json() == []  # nothing was imported

    imported = client.post(
        f"{base}/stakeholders/import",
        headers=chef,
        files={"file": ("pp.csv", CSV.encode("utf-8-sig"), "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    listed = client.get(f"{base}/stakeholders", headers=observer).json()
    assert {s["name"] for s in listed} == {"Mairie annexe", "Collectif du bocage", "Jeanne Martin"}
    assert all(s["contact"] is None for s in listed)
    assert client.get(f"{base}/stakeholders?with_contacts=true", headers=observer).status_code == 403
    with_contacts = client.get(f"{base}/stakeholders?with_contacts=true", headers=chef).json()
    assert {s["contact"]["email"] for s in with_contacts if s["contact"]} == {
        "contact@bocage.example",
        "jeanne@example.org",
    }

    ids = {s["name"]: s["id"] for s in listed}
    added = client.post(
        f"{base}/stakeholders",
        headers=chef,
        json={
            "name": "Union locale CGT",
            "kind": "organisation",
            "category": "organisation_syndicale",
            "power": 3,
            "interest": 4,
            "attitude": "oppose",
        },
    )
    assert added.status_code == 201, added.text
    relation = client.post(
        f"{base}/stakeholder-relations",
        headers=chef,
        json={"source_id": ids["Collectif du bocage"], "target_id": ids["Mairie annexe"], "type": "conflit"},
    )
    assert relation.status_code == 201, relation.text
    consultation = client.post(
        f"{base}/consultations",
        headers=chef,
        json={
            "step_key": "a1",
            "held_on": "2026-03-10",
            "format": "atelier",
            "stakeholder_ids": [ids["Collectif du bocage"], ids["Mairie annexe"]],
            "summary": "Atelier de médiation",
        },
    )
    assert consultation.status_code == 201, consultation.text
    assert consultation.json()["stage_key"] == "a"

    csv_export = client.get(f"{base}/stakeholders/export?format=csv", headers=observer)
    assert csv_export.status_code == 200
    assert "jeanne@example.org" not in csv_export.text
    assert "Collectif du bocage" in csv_export.text
    gexf = client.get(f"{base}/stakeholders/export?format=gexf", headers=observer)
    assert ET.fromstring(gexf.content).tag.endswith("gexf")

    analysis = client.get(f"{base}/stakeholder-graph/analysis", headers=observer).json()
    assert any(pair for pair in analysis["conflicts"])
    for path in ("stakeholder-graph.svg", "stakeholder-graph/power-interest.svg"):
        picture = client.get(f"{base}/{path}", headers=observer)
        assert picture.headers["content-type"].startswith("image/svg+xml")
        assert ET.fromstring(picture.content).tag.endswith("svg")

    erased = client.delete(f"{base}/stakeholders/{ids['Jeanne Martin']}/contact", headers=chef)
    assert erased.status_code == 204
    again = client.get(f"{base}/stakeholders?with_contacts=true", headers=chef).json()
    assert {s["contact"]["email"] for s in again if s["contact"]} == {"contact@bocage.example"}


def test_relations_import_over_http_lists_every_unknown_name(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}"
    chef = team["chef_de_projet"].headers
    client.post(
        f"{base}/stakeholders/import", headers=chef, files={"file": ("pp.csv", CSV.encode(), "text/csv")}
    )
    bad = (
        "Source;Cible;Type\nMairie annexe;Collectif du bocaje;conflit\nMairie anexe;Jeanne Martin;influence\n"
    )
    refused = client.post(
        f"{base}/stakeholder-relations/import",
        headers=chef,
        files={"file": ("r.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [r["details"]["line"] for r in refused.json()["reasons"]] == [2, 3]
    assert "vouliez-vous dire « Collectif du bocage »" in refused.json()["reasons"][0]["message"]
    good = bad.replace("bocaje", "bocage").replace("anexe", "annexe")
    imported = client.post(
        f"{base}/stakeholder-relations/import",
        headers=chef,
        files={"file": ("r.csv", good.encode(), "text/csv")},
    )
    assert imported.json() == {"rows": 2, "created": 2, "already_there": 0}
    assert len(client.get(f"{base}/stakeholder-relations", headers=chef).json()) == 2


def test_free_notes_are_kept_set_imported_and_exported(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}"
    chef = team["chef_de_projet"].headers
    csv_text = (
        "Nom;Catégorie;Pouvoir;Intérêt;Commentaire\nCollectif du parc;Association;4;5;conflit sur le parc\n"
    )
    imported = client.post(
        f"{base}/stakeholders/import", headers=chef, files={"file": ("pp.csv", csv_text.encode(), "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    [collectif] = client.get(f"{base}/stakeholders", headers=chef).json()
    assert collectif["notes"] == "conflit sur le parc"

    added = client.post(
        f"{base}/stakeholders",
        headers=chef,
        json={
            "name": "M. le maire",
            "category": "elu",
            "power": 5,
            "interest": 4,
            "notes": "porteur politique",
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["notes"] == "porteur politique"
    path = f"{base}/stakeholders/{added.json()['id']}"
    changed = client.patch(path, headers=chef, json={"notes": "porteur politique\nà revoir en mars"})
    assert changed.json()["notes"] == "porteur politique\nà revoir en mars"
    refused = client.patch(path, headers=chef, json={"notes": "nul\u0000ici"})
    assert refused.status_code == 422
    assert "U+0000" in str(refused.json()["reasons"])
    too_long = client.patch(path, headers=chef, json={"notes": "x" * 2001})
    assert too_long.status_code == 422
    assert client.get(path, headers=chef).json()["notes"] == "porteur politique\nà revoir en mars"

    exported = client.get(f"{base}/stakeholders/export?format=csv", headers=chef).text
    assert "conflit sur le parc" in exported
    assert "Notes" in exported.splitlines()[0]
    graphml = client.get(f"{base}/stakeholders/export?format=graphml", headers=chef).text
    assert "conflit sur le parc" in graphml


def test_consultations_import_over_http_is_all_or_nothing_and_lists_every_bad_line(client, make_team) -> None:
    team = make_team("mini")
    base = f"/engagements/{team.engagement_id}"
    chef = team["chef_de_projet"].headers
    client.post(
        f"{base}/stakeholders/import", headers=chef, files={"file": ("pp.csv", CSV.encode(), "text/csv")}
    )
    bad = (
        "Date;Partie prenante;Méthode;Sujet;Notes\n"
        "10/03/2026;Mairie annexe;entretien;Charte;\n"
        "10/03/2026;Collectif du bocaje;atelier;Charte;\n"
        "32/03/2026;Jeanne Martin;atelier;Charte;\n"
        "11/03/2026;Jeanne Martin;sondage par pigeon;Charte;\n"
    )
    refused = client.post(
        f"{base}/consultations/import",
        headers=chef,
        data={"step_key": "a1"},
        files={"file": ("c.csv", bad.encode("cp1252"), "text/csv")},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["detail"] == "Import refusé, rien n'a été importé : 3 lignes en erreur (3, 4, 5)."
    assert [r["details"]["line"] for r in problem["reasons"]] == [3, 4, 5]
    assert "vouliez-vous dire « Collectif du bocage »" in problem["reasons"][0]["message"]
    assert client.get(f"{base}/consultations", headers=chef).json() == []  # not even line 2

    good = bad.replace("bocaje", "bocage").replace("32/03", "12/03").replace("sondage par pigeon", "enquête")
    imported = client.post(
        f"{base}/consultations/import",
        headers=chef,
        data={"step_key": "a1"},
        files={"file": ("c.csv", good.encode("cp1252"), "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["rows"] == 4
    assert imported.json()["consultations"] == 4
    logged = client.get(f"{base}/consultations", headers=chef).json()
    assert {(c["held_on"], c["format"], c["step_key"]) for c in logged} >= {
        ("2026-03-11", "questionnaire", "a1")
    }
