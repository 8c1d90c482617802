"""`gouvernance stakeholders …` as a user runs it: a real process, French output, bad rows listed, never a
traceback."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from gouvernance.access.service import add_user, grant
from gouvernance.demo.stakeholders_demo import demo_csv
from gouvernance.stakeholders.tables import ConsultationRow


@pytest.fixture
def cli(cli, db, clock):
    """Every command runs as the project lead of the organisation that launches the engagement."""
    login = f"julien.{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, login, organisation=f"org-{login.split('.')[1]}", clock=clock)
        grant(session, login, "chef_de_projet", clock=clock)

    def run(*args: str, ok: bool = True):
        return cli(*args, "--login", login, ok=ok)

    return run


@pytest.fixture
def engagement(cli) -> str:
    return cli(
        "launch",
        "gouvernance-partagee",
        "--territory",
        "Val Fleuri",
        "--start",
        "2026-01-05",
        "--kind",
        "epci",
    ).stdout.strip()[:8]


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_one(cli, engagement, tmp_path: Path) -> None:
    bad = tmp_path / "parties.csv"
    bad.write_text(
        "Nom;Catégorie;Pouvoir;Intérêt;Courriel\n"
        "Mairie;élu;5;5;\n"
        "Collectif;martiens;2;4;\n"
        "Association;association;7;3;pas-une-adresse\n",
        encoding="cp1252",
    )
    refused = cli("stakeholders", "import", engagement, str(bad), ok=False)
    assert "Import refusé, rien n'a été importé : 2 lignes en erreur (3, 4)" in refused.stderr
    assert "Ligne 3 — Catégorie : « martiens » n'est pas une valeur reconnue" in refused.stderr
    assert "Ligne 4 — Pouvoir : « 7 » doit être un entier de 1 à 5." in refused.stderr
    assert "Ligne 4 — Courriel : « pas-une-adresse » n'est pas une adresse valide." in refused.stderr
    assert "0 partie prenante." in cli("stakeholders", "list", engagement).stdout
    missing = cli("stakeholders", "import", engagement, str(tmp_path / "absent.csv"), ok=False)
    assert "Fichier introuvable" in missing.stderr


def test_import_export_analyse_consult_and_erase(cli, engagement, tmp_path: Path) -> None:
    source = tmp_path / "demo.csv"
    source.write_bytes(demo_csv())
    imported = cli("stakeholders", "import", engagement, str(source)).stdout
    assert "31 parties prenantes importées : 31 ajoutées, 0 mise à jour, 4 avec coordonnées" in imported
    listing = cli("stakeholders", "list", engagement).stdout
    assert "Collectif « Sauvons le bocage »" in listing
    assert "gérer étroitement" in listing

    public = cli("stakeholders", "export", engagement).stdout
    assert public.lstrip("\ufeff").startswith('"Identifiant";"Nom";"Type";"Catégorie";"Pouvoir";"Intérêt"')
    assert "@" not in public
    assert "Courriel" not in public
    internal = tmp_path / "interne.csv"
    exported = cli("stakeholders", "export", engagement, "--with-contacts", "--out", str(internal))
    assert "données personnelles" in exported.stderr
    assert "h.marchand@cc-valfleuri.example" in internal.read_text(encoding="utf-8-sig")
    for fmt, root in (("graphml", "<graphml"), ("gexf", "<gexf")):
        assert root in cli("stakeholders", "export", engagement, "--format", fmt).stdout
    assert (
        "Format d'export inconnu « pdf »"
        in cli("stakeholders", "export", engagement, "--format", "pdf", ok=False).stderr
    )

    cli(
        "stakeholders",
        "consult",
        engagement,
        "--step",
        "entretiens_acteurs",
        "--format",
        "entretien",
        "--date",
        "2026-02-02",
        "--with",
        "Collectif « Sauvons le bocage »",
        "--with",
        "cgt",
        "--summary",
        "Entretien",
        "--outcome",
        "Attentes recueillies",
    )
    refused = cli("stakeholders", "consult", engagement, "--step", "nulle_part", "--with", "cgt", ok=False)
    assert "Étape inconnue dans le modèle de l'accompagnement : « nulle_part »" in refused.stderr

    text = cli("stakeholders", "analyse", engagement).stdout
    assert "Stratégies (Mendelow) : gérer étroitement 9 · satisfaire 2 · informer 12 · surveiller 8" in text
    assert (
        "Acteurs clés isolés (sans relais) : Hélène Marchand" in text
    )  # no relation imported: nobody relays
    assert "Couverture des consultations" in text
    assert "Sous-préfecture de Fleuri" in text
    data = json.loads(cli("stakeholders", "analyse", engagement, "--json").stdout)
    assert data["stakeholder_count"] == 31
    assert len(data["isolated_key_players"]) == 9  # every key player: no relation was imported
    [coverage] = data["coverage"]
    assert coverage["stage_key"] == "etat_des_lieux"
    assert {p["id"] for p in coverage["missing_key_players"]} == {
        "caf",
        "dgs",
        "centre-social",
        "presidente",
        "fleuri-amenagement",
        "sous-prefecture",
        "vp-participation",
    }

    assert (
        "Coordonnées de « Marc Petit, habitant du hameau des Granges » effacées."
        in cli("stakeholders", "erase-contacts", engagement, "habitant-granges").stdout
    )
    assert "rien à effacer" in cli("stakeholders", "erase-contacts", engagement, "habitant-granges").stdout
    cli("stakeholders", "export", engagement, "--with-contacts", "--out", str(internal))
    assert "marc.petit@" not in internal.read_text(encoding="utf-8-sig")
    assert (
        "Partie prenante introuvable : personne"
        in cli("stakeholders", "erase-contacts", engagement, "personne", ok=False).stderr
    )


def _consultations(db, prefix: str) -> int:
    with db.reading() as session:
        return len(
            session.scalars(
                select(ConsultationRow.id).where(ConsultationRow.engagement_id.startswith(prefix))
            ).all()
        )


def test_relations_and_consultations_are_imported_by_name_all_or_nothing(
    cli, db, engagement, tmp_path: Path
) -> None:
    source = tmp_path / "demo.csv"
    source.write_bytes(demo_csv())
    cli("stakeholders", "import", engagement, str(source))

    relations = tmp_path / "relations.csv"
    relations.write_text(
        "Source;Cible;Type;Poids\nMaire de Saint-Aubin-sur-Fleuri;dgs;influence;2\n"
        "Maire de Saint-Aubin;dgs;influence;1\n",
        encoding="cp1252",
    )
    refused = cli("stakeholders", "import-relations", engagement, str(relations), ok=False)
    assert "Import refusé, rien n'a été importé : 1 ligne en erreur (3)." in refused.stderr
    assert "Ligne 3 — Source : « Maire de Saint-Aubin » n'est pas au registre" in refused.stderr
    relations.write_text(
        "Source;Cible;Type;Poids\nMaire de Saint-Aubin-sur-Fleuri;dgs;influence;2\n", encoding="cp1252"
    )
    imported = cli("stakeholders", "import-relations", engagement, str(relations)).stdout
    assert "1 ligne : 1 relation ajoutée, 0 déjà présente." in imported

    consultations = tmp_path / "consultations.csv"
    consultations.write_text(
        "Date;Partie prenante;Méthode;Sujet;Notes\n"
        "10/03/2026;Maire de Saint-Aubin-sur-Fleuri;entretien;Parc d'activités;À revoir\n"
        "10/03/2026;Maire de St-Aubin;entretien;Parc d'activités;\n"
        "30/02/2026;dgs;atelier;Organisation;\n"
        "2026-03-12;dgs;visioconférence;Organisation;\n",
        encoding="cp1252",
    )
    refused = cli(
        "stakeholders", "import-consultations", engagement, str(consultations),
        "--step", "recensement_forces_vives", ok=False,
    )  # fmt: skip
    assert "Import refusé, rien n'a été importé : 3 lignes en erreur (3, 4, 5)." in refused.stderr
    assert "Ligne 3 — Partie prenante : « Maire de St-Aubin » n'est pas au registre" in refused.stderr
    assert "Ligne 4 — Date : « 30/02/2026 » illisible (attendu JJ/MM/AAAA)." in refused.stderr
    assert "Ligne 5 — Méthode : « visioconférence » inconnue" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _consultations(db, engagement) == 0  # not even line 2

    consultations.write_text(
        "Date;Partie prenante;Méthode;Sujet;Notes\n"
        "10/03/2026;Maire de Saint-Aubin-sur-Fleuri;entretien;Parc d'activités;À revoir\n"
        "12/03/2026;dgs;atelier;Organisation;\n"
        "12/03/2026;Hélène Marchand, présidente de la communauté de communes;atelier;Organisation;\n",
        encoding="cp1252",
    )
    imported = cli(
        "stakeholders", "import-consultations", engagement, str(consultations),
        "--step", "recensement_forces_vives",
    ).stdout  # fmt: skip
    assert "2 consultations enregistrées (3 lignes)." in imported
    assert _consultations(db, engagement) == 2
