"""Consultations imported from a spreadsheet with names, as a town hall's Excel export writes them: all or
nothing, every bad line listed (unknown name with the closest ones, unreadable date, unknown method)."""

from __future__ import annotations

import pytest

from gouvernance.stakeholders import consultations
from gouvernance.stakeholders.consultations_import import import_consultations
from gouvernance.stakeholders.csv_import import ImportRejected
from gouvernance.stakeholders.tables import ConsultationRow
from tests.stakeholders.helpers import CHEF, count_rows


def _import(db, clock, engagement_id, content: bytes, default_step: str | None = None):
    with db.transaction() as session:
        return import_consultations(
            session,
            engagement_id=engagement_id,
            content=content,
            default_step=default_step,
            actor=CHEF,
            clock=clock,
        )


def test_a_spreadsheet_with_bad_lines_is_refused_whole_with_every_line(db, clock, register) -> None:
    register.load()
    spreadsheet = (
        "Date;Partie prenante;Méthode;Sujet;Notes\n"
        "10/03/2026;Promoteur;entretien;Projet du bourg;RAS\n"
        "10/03/2026;Promoteu;entretien;Projet du bourg;RAS\n"
        "31/02/2026;Mairie;atelier;Charte;\n"
        "2026-03-12;Mairie;pétition;Charte;\n"
        "hier;Inconnu total;télépathie;;\n"
    )
    with pytest.raises(ImportRejected) as refused:
        _import(db, clock, register.engagement_id, spreadsheet.encode("cp1252"), "entretiens")
    assert [error.line for error in refused.value.errors] == [3, 4, 5, 6]
    assert refused.value.message.fr == (
        "Import refusé, rien n'a été importé : 4 lignes en erreur (3, 4, 5, 6)."
    )
    reasons = [reason.fr for reason in refused.value.reasons]
    assert (
        "Ligne 3 — Partie prenante : « Promoteu » n'est pas au registre ; vouliez-vous dire « Promoteur » ?"
        in reasons
    )
    assert "Ligne 4 — Date : « 31/02/2026 » illisible (attendu JJ/MM/AAAA)." in reasons
    assert any(
        reason.startswith("Ligne 5 — Méthode : « pétition » inconnue (possibles :") for reason in reasons
    )
    assert len([reason for reason in reasons if reason.startswith("Ligne 6 — ")]) == 3  # name, date, method
    assert count_rows(db, ConsultationRow, register.engagement_id) == 0  # not even line 2


def test_a_good_file_is_imported_with_lines_of_one_meeting_grouped(db, clock, register) -> None:
    register.load()
    spreadsheet = (
        "\ufeffdate,PARTIE PRENANTE,Méthode,Sujet,Notes,Étape\n"
        "10/03/2026,maison des associations,Atelier,Projet du bourg,Deuxième atelier demandé,Entretiens\n"
        "10/03/2026,Promoteur,atelier,Projet du bourg,Deuxième atelier demandé,entretiens\n"
        "12/03/2026,collectif,réunion publique,Médiation,,seance\n"
    )
    summary = _import(db, clock, register.engagement_id, spreadsheet.encode("utf-8"))
    assert (summary.rows, summary.consultations) == (3, 2)
    with db.reading() as session:
        views = {
            view.row.id: view for view in consultations.list_consultations(session, register.engagement_id)
        }
    workshop, meeting = (views[identifier] for identifier in summary.consultation_ids)
    assert (workshop.row.step_key, workshop.row.format, workshop.row.held_on.isoformat()) == (
        "entretiens",
        "atelier",
        "2026-03-10",
    )
    assert workshop.stakeholder_ids == sorted([register.ids["maison"], register.ids["promoteur"]])
    assert (workshop.row.summary, workshop.row.outcome) == ("Projet du bourg", "Deuxième atelier demandé")
    assert (meeting.row.step_key, meeting.row.stage_key) == ("seance", "mediation")
    assert meeting.stakeholder_ids == [register.ids["collectif"]]


def test_a_line_without_a_step_needs_a_default_one(db, clock, register) -> None:
    register.load()
    spreadsheet = "Date;Partie prenante;Méthode\n10/03/2026;Promoteur;entretien\n"
    with pytest.raises(ImportRejected) as refused:
        _import(db, clock, register.engagement_id, spreadsheet.encode())
    assert refused.value.reasons[0].fr.startswith("Ligne 2 — Étape : valeur obligatoire")
    with pytest.raises(ImportRejected) as refused:
        _import(db, clock, register.engagement_id, spreadsheet.encode(), "Entretien")
    assert "vouliez-vous dire « Entretiens (entretiens) » ?" in refused.value.reasons[0].fr
    assert _import(db, clock, register.engagement_id, spreadsheet.encode(), "Entretiens").consultations == 1


def test_missing_columns_are_named(db, clock, register) -> None:
    register.load()
    with pytest.raises(ImportRejected) as refused:
        _import(db, clock, register.engagement_id, b"Quand;Partie prenante\n10/03/2026;Promoteur\n")
    assert refused.value.reasons[0].fr == "Ligne 1 — Colonnes obligatoires absentes : « Date », « Méthode »."


def test_subject_and_notes_are_bounded_as_over_the_api(db, clock, register) -> None:
    register.load()
    spreadsheet = f"Date;Partie prenante;Méthode;Notes\n10/03/2026;Promoteur;entretien;{'x' * 10_001}\n"
    with pytest.raises(ImportRejected) as refused:
        _import(db, clock, register.engagement_id, spreadsheet.encode(), "entretiens")
    assert [reason.fr for reason in refused.value.reasons] == [
        "Ligne 2 — Notes : plus de 10\u202f000 caractères."
    ]
