"""The all-or-nothing import of a spreadsheet into the register, alone and over a bulk launch."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import event

from gouvernance.stakeholders import importing, register_service
from gouvernance.stakeholders.csv_import import ImportRejected
from gouvernance.stakeholders.records import Contact
from gouvernance.stakeholders.tables import StakeholderRow
from tests.stakeholders.helpers import CHEF, count_rows, events_of, import_text

# --- import -----------------------------------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(db, clock, register) -> None:
    content = (
        "Nom;Catégorie;Pouvoir (1-5);Intérêt (1-5);Courriel\n"
        "Mairie;élu;5;5;\n"
        "Association des familles;association;9;3;\n"
        "Collectif;martiens;2;4;pas-une-adresse\n"
        "Syndicat;organisation syndicale;2;3;\n"
    )
    with pytest.raises(ImportRejected) as refused:
        import_text(db, clock, register.engagement_id, content)
    assert [error.line for error in refused.value.errors] == [3, 4]
    assert [reason.fr.split(" — ")[0] for reason in refused.value.reasons] == [
        "Ligne 3",
        "Ligne 4",
        "Ligne 4",
    ]
    assert "rien n'a été importé" in refused.value.text()
    assert count_rows(db, StakeholderRow, register.engagement_id) == 0
    assert [e.event for e in events_of(db, register.engagement_id)].count("stakeholders_imported") == 0


def test_french_headers_and_semicolons_import_and_contacts_go_to_their_own_table(db, clock, register) -> None:
    summary = import_text(db, clock, register.engagement_id, "\ufeff" + _register_csv())
    assert (summary.rows, summary.created, summary.updated, summary.with_contacts) == (11, 11, 0, 1)
    assert summary.separator == ";"
    with db.reading() as session:
        rows = {row.key: row for row in register_service.list_stakeholders(session, register.engagement_id)}
        dupont = rows["dupont"]
        assert (dupont.name, dupont.category, dupont.power, dupont.interest) == (
            "Jeanne Dupont",
            "habitant_usager",
            1,
            3,
        )
        assert register_service.contact_of(session, dupont.id) == Contact(
            email="jeanne.dupont@courriel.example"
        )
        assert rows["collectif"].attitude == "oppose"
        assert rows["maire"].salience == ["pouvoir"]  # power 5: pouvoir; no legitimacy/urgency column given


def test_a_second_import_updates_by_name_then_identifier_and_keeps_contacts(db, clock, register) -> None:
    import_text(db, clock, register.engagement_id, _register_csv())
    content = (
        "Identifiant;Nom;Catégorie;Pouvoir;Intérêt\n"
        "x-1;JEANNE DUPONT;habitant;2;5\n"  # same name (case ignored): updated, keeps its key and contact
        "maire;Mairie de Ville-sur-Loire;élu;5;4\n"  # same identifier: renamed
        "nouveau;Nouvel acteur;autre;1;1\n"
    )
    summary = import_text(db, clock, register.engagement_id, content)
    assert (summary.created, summary.updated) == (1, 2)
    with db.reading() as session:
        rows = {row.key: row for row in register_service.list_stakeholders(session, register.engagement_id)}
        assert (rows["dupont"].power, rows["dupont"].version) == (2, 2)
        assert register_service.contact_of(session, rows["dupont"].id) is not None
        assert rows["maire"].name == "Mairie de Ville-sur-Loire"
        assert len(rows) == 12


def test_rows_that_contradict_the_register_are_refused_by_line(db, clock, register) -> None:
    import_text(db, clock, register.engagement_id, _register_csv())
    content = (
        "Identifiant;Nom;Catégorie;Pouvoir;Intérêt\n"
        "promoteur;Mairie;élu;5;5\n"  # the name of one stakeholder, the identifier of another
        "autre;Syndicat;organisation syndicale;2;3\n"
        "syndicat;Nouveau syndicat;organisation syndicale;2;3\n"  # the same stakeholder as line 3
    )
    with pytest.raises(ImportRejected) as refused:
        import_text(db, clock, register.engagement_id, content)
    assert {error.line: error.reasons[0].code for error in refused.value.errors} == {
        2: "stakeholders.name_taken",
        4: "stakeholders.same_stakeholder",
    }
    with db.reading() as session:
        assert {row.name for row in register_service.list_stakeholders(session, register.engagement_id)} >= {
            "Mairie"
        }


def test_importing_many_rows_takes_the_same_few_statements_as_importing_ten(
    db, clock, launch_engagement, parties_model
) -> None:
    def statements(rows: int) -> int:
        engagement_id = launch_engagement(parties_model)
        lines = [
            f"Acteur {n};{'habitant' if n % 2 else 'association'};{n % 5 + 1};{(n * 3) % 5 + 1};"
            f"acteur{n}@exemple.fr"
            for n in range(rows)
        ]
        content = "Nom;Catégorie;Pouvoir;Intérêt;Courriel\n" + "\n".join(lines)
        executed: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany) -> None:
            executed.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            summary = import_text(db, clock, engagement_id, content)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert summary.created == rows
        assert count_rows(db, StakeholderRow, engagement_id) == rows
        return len(executed)

    assert statements(100) == statements(10) <= 10


def _register_csv() -> str:
    from tests.stakeholders.conftest import REGISTER_CSV

    return REGISTER_CSV


def test_a_bulk_launch_imports_one_parsed_register_into_every_engagement(db, clock, parties_model) -> None:
    from gouvernance.engagements.bulk import launch_many
    from gouvernance.engagements.service import LaunchRequest, Territory
    from tests.stakeholders.conftest import REGISTER_CSV

    requests = [
        (
            f"bulk-{uuid.uuid4().hex}",
            LaunchRequest(parties_model, Territory(name, "commune"), date(2026, 3, 2)),
        )
        for name in ("Olivet", "Ingré", "Saran")
    ]
    outcomes = launch_many(
        db,
        requests,
        actor=CHEF,
        clock=clock,
        after_launch=importing.importer_for(REGISTER_CSV, actor=CHEF, clock=clock),
    )
    for outcome in outcomes:
        assert count_rows(db, StakeholderRow, outcome.engagement_id) == 11
    with pytest.raises(ImportRejected):  # a bad file is refused before anything is launched
        importing.importer_for("Nom;Catégorie;Pouvoir;Intérêt\nX;martiens;1;1\n", actor=CHEF, clock=clock)
