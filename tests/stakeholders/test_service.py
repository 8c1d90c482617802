"""The stakeholder register in the database: all-or-nothing import, stakeholders, relations, consultations,
exports without personal data unless asked, erasure, and the analysis against the model's requirements."""

from __future__ import annotations

import io
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import date

import networkx as nx
import pytest
from sqlalchemy import event, func, select, update

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput, NotFound
from gouvernance.history.records import EventRow
from gouvernance.stakeholders import service
from gouvernance.stakeholders.csv_import import ImportRejected
from gouvernance.stakeholders.records import Contact, StakeholderData
from gouvernance.stakeholders.tables import ConsultationRow, StakeholderContactRow, StakeholderRow

CHEF = ActorRef.of("julien", "chef_de_projet")


def _count(db, table, engagement_id: str) -> int:
    with db.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(table).where(table.engagement_id == engagement_id)
            )
            or 0
        )


def _import(db, clock, engagement_id: str, content: str | bytes):
    with db.transaction() as session:
        return service.import_csv(
            session,
            engagement_id=engagement_id,
            content=content.encode() if isinstance(content, str) else content,
            actor=CHEF,
            clock=clock,
        )


def _events(db, engagement_id: str) -> list[EventRow]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(EventRow).where(EventRow.engagement_id == engagement_id).order_by(EventRow.id)
            )
        )


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
        _import(db, clock, register.engagement_id, content)
    assert [error.line for error in refused.value.errors] == [3, 4]
    assert [reason.fr.split(" — ")[0] for reason in refused.value.reasons] == [
        "Ligne 3",
        "Ligne 4",
        "Ligne 4",
    ]
    assert "rien n'a été importé" in refused.value.text()
    assert _count(db, StakeholderRow, register.engagement_id) == 0
    assert [e.event for e in _events(db, register.engagement_id)].count("stakeholders_imported") == 0


def test_french_headers_and_semicolons_import_and_contacts_go_to_their_own_table(db, clock, register) -> None:
    summary = _import(db, clock, register.engagement_id, "\ufeff" + _register_csv())
    assert (summary.rows, summary.created, summary.updated, summary.with_contacts) == (11, 11, 0, 1)
    assert summary.separator == ";"
    with db.reading() as session:
        rows = {row.key: row for row in service.list_stakeholders(session, register.engagement_id)}
        dupont = rows["dupont"]
        assert (dupont.name, dupont.category, dupont.power, dupont.interest) == (
            "Jeanne Dupont",
            "habitant_usager",
            1,
            3,
        )
        assert service.contact_of(session, dupont.id) == Contact(email="jeanne.dupont@courriel.example")
        assert rows["collectif"].attitude == "oppose"
        assert rows["maire"].salience == ["pouvoir"]  # power 5: pouvoir; no legitimacy/urgency column given


def test_a_second_import_updates_by_name_then_identifier_and_keeps_contacts(db, clock, register) -> None:
    _import(db, clock, register.engagement_id, _register_csv())
    content = (
        "Identifiant;Nom;Catégorie;Pouvoir;Intérêt\n"
        "x-1;JEANNE DUPONT;habitant;2;5\n"  # same name (case ignored): updated, keeps its key and contact
        "maire;Mairie de Ville-sur-Loire;élu;5;4\n"  # same identifier: renamed
        "nouveau;Nouvel acteur;autre;1;1\n"
    )
    summary = _import(db, clock, register.engagement_id, content)
    assert (summary.created, summary.updated) == (1, 2)
    with db.reading() as session:
        rows = {row.key: row for row in service.list_stakeholders(session, register.engagement_id)}
        assert (rows["dupont"].power, rows["dupont"].version) == (2, 2)
        assert service.contact_of(session, rows["dupont"].id) is not None
        assert rows["maire"].name == "Mairie de Ville-sur-Loire"
        assert len(rows) == 12


def test_rows_that_contradict_the_register_are_refused_by_line(db, clock, register) -> None:
    _import(db, clock, register.engagement_id, _register_csv())
    content = (
        "Identifiant;Nom;Catégorie;Pouvoir;Intérêt\n"
        "promoteur;Mairie;élu;5;5\n"  # the name of one stakeholder, the identifier of another
        "autre;Syndicat;organisation syndicale;2;3\n"
        "syndicat;Nouveau syndicat;organisation syndicale;2;3\n"  # the same stakeholder as line 3
    )
    with pytest.raises(ImportRejected) as refused:
        _import(db, clock, register.engagement_id, content)
    assert {error.line: error.reasons[0].code for error in refused.value.errors} == {
        2: "stakeholders.name_taken",
        4: "stakeholders.same_stakeholder",
    }
    with db.reading() as session:
        assert {row.name for row in service.list_stakeholders(session, register.engagement_id)} >= {"Mairie"}


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
            summary = _import(db, clock, engagement_id, content)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert summary.created == rows
        assert _count(db, StakeholderRow, engagement_id) == rows
        return len(executed)

    assert statements(100) == statements(10) <= 10


# --- stakeholders, relations ------------------------------------------------------------------------------


def test_stakeholders_are_added_updated_and_deleted_with_checks(db, clock, register) -> None:
    register.load()
    engagement_id = register.engagement_id
    with db.transaction() as session:
        row = service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            actor=CHEF,
            clock=clock,
            data=StakeholderData(
                "cfdt",
                "CFDT",
                "organisation",
                "organisation_syndicale",
                2,
                3,
                contact=Contact(phone="01 02 03 04 05"),
            ),
        )
        stakeholder_id = row.id
    with db.transaction() as session, pytest.raises(Conflict) as clash:
        service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            actor=CHEF,
            clock=clock,
            data=StakeholderData("autre", "cfdt", "organisation", "autre", 1, 1),
        )
    assert clash.value.code == "stakeholders.duplicate_name"
    with db.transaction() as session, pytest.raises(InvalidInput) as invalid:
        service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            changes={"power": 8, "category": "martiens"},
            actor=CHEF,
            clock=clock,
        )
    assert {reason.path for reason in invalid.value.reasons} == {"power", "category"}
    with db.transaction() as session:
        updated = service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            changes={"power": 4, "tags": ["dialogue social"]},
            actor=CHEF,
            clock=clock,
            expected_version=1,
        )
        assert (updated.power, updated.tags, updated.version) == (4, ["dialogue social"], 2)
    with db.transaction() as session, pytest.raises(Conflict):
        service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=stakeholder_id,
            changes={"power": 5},
            actor=CHEF,
            clock=clock,
            expected_version=1,
        )

    collectif = register.ids["collectif"]
    consultation_id = register.consult("entretiens", "collectif")
    with db.transaction() as session:
        service.delete_stakeholder(
            session, engagement_id=engagement_id, stakeholder_id=collectif, actor=CHEF, clock=clock
        )
    with db.reading() as session:
        assert all(
            collectif not in (r.source_id, r.target_id)
            for r in service.list_relations(session, engagement_id)
        )
        assert service.get_consultation(session, engagement_id, consultation_id).stakeholder_ids == []
        analysis = service.analyse(session, engagement_id)  # the emptied log entry is left out
        assert analysis.stakeholder_count == 11
        with pytest.raises(NotFound):
            service.get_stakeholder(session, engagement_id, collectif)


def test_symmetric_relations_are_one_whichever_way_round(db, clock, register) -> None:
    register.load()
    ids, engagement_id = register.ids, register.engagement_id
    with db.transaction() as session, pytest.raises(Conflict) as duplicate:
        service.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["promoteur"],
            target_id=ids["collectif"],
            type="en conflit avec",
            actor=CHEF,
            clock=clock,
        )
    assert duplicate.value.code == "stakeholders.duplicate_relation"
    with db.transaction() as session:  # a directed relation the other way is another relation
        row = service.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["promoteur"],
            target_id=ids["maison"],
            type="finance",
            weight=2.5,
            start="2025-01-01",
            actor=CHEF,
            clock=clock,
        )
        assert (row.source_id, row.target_id, row.type, row.weight) == (
            ids["promoteur"],
            ids["maison"],
            "finance",
            2.5,
        )
    with db.transaction() as session, pytest.raises(InvalidInput) as invalid:
        service.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["maire"],
            target_id=ids["maire"],
            type="amitié",
            weight=0,
            actor=CHEF,
            clock=clock,
        )
    assert {reason.code for reason in invalid.value.reasons} == {
        "stakeholders.unknown_value",
        "stakeholders.invalid_weight",
        "stakeholders.self_relation",
    }
    with db.transaction() as session, pytest.raises(NotFound):
        service.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=ids["maire"],
            target_id=999_999,
            type="partenaire",
            actor=CHEF,
            clock=clock,
        )


# --- consultations ----------------------------------------------------------------------------------------


def test_a_consultation_names_an_existing_step_and_existing_stakeholders(db, clock, register) -> None:
    register.load()
    with db.transaction() as session, pytest.raises(InvalidInput) as invalid:
        service.add_consultation(
            session,
            engagement_id=register.engagement_id,
            step_key="inexistante",
            held_on="le 3 mars",
            format="sondage",
            stakeholder_ids=[register.ids["maire"], 999_999],
            actor=CHEF,
            clock=clock,
        )
    assert {reason.code for reason in invalid.value.reasons} == {
        "stakeholders.invalid_date",
        "stakeholders.unknown_value",
        "consultation.unknown_step",
        "consultation.unknown_stakeholder",
    }
    assert _count(db, ConsultationRow, register.engagement_id) == 0

    with db.transaction() as session:
        view = service.add_consultation(
            session,
            engagement_id=register.engagement_id,
            step_key="partenaires",
            held_on="2026-03-04",
            format="Réunion publique",
            stakeholder_ids=[register.ids["maire"], register.ids["maire"]],
            summary="Présentation",
            outcome="Accord de principe",
            actor=CHEF,
            clock=clock,
        )
        assert (view.row.stage_key, view.row.format, view.stakeholder_ids) == (
            "mediation",
            "reunion_publique",
            [register.ids["maire"]],
        )
    with db.transaction() as session:
        changed = service.update_consultation(
            session,
            engagement_id=register.engagement_id,
            consultation_id=view.row.id,
            actor=CHEF,
            clock=clock,
            changes={"step_key": "entretiens", "stakeholder_ids": [register.ids["syndicat"]]},
        )
        assert (changed.row.stage_key, changed.stakeholder_ids) == ("diagnostic", [register.ids["syndicat"]])
    consultation_events = [
        e for e in _events(db, register.engagement_id) if e.event.startswith("consultation")
    ]
    assert [(e.event, e.step_key) for e in consultation_events] == [
        ("consultation_recorded", "partenaires"),
        ("consultation_updated", "entretiens"),
    ]


# --- exports, erasure, events -----------------------------------------------------------------------------


def _export(db, clock, engagement_id: str, fmt: str, include_contacts: bool = False):
    with db.transaction() as session:
        return service.export(
            session,
            engagement_id=engagement_id,
            fmt=fmt,
            include_contacts=include_contacts,
            actor=CHEF,
            clock=clock,
        )


def test_exports_leave_contact_details_out_unless_asked(db, clock, register) -> None:
    register.load()
    engagement_id = register.engagement_id
    plain = _export(db, clock, engagement_id, "csv")
    assert plain.media_type.startswith("text/csv")
    assert plain.filename == "parties-prenantes-saint-jean-de-braye.csv"
    text = plain.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"Identifiant";"Nom";"Type";"Catégorie"')
    assert "Courriel" not in text
    assert "@" not in text
    assert "stakeholder_contacts_exported" not in [e.event for e in _events(db, engagement_id)]

    internal = _export(db, clock, engagement_id, "csv", include_contacts=True)
    assert "jeanne.dupont@courriel.example" in internal.content.decode("utf-8-sig")
    assert internal.filename.endswith("-avec-coordonnees.csv")
    assert [e.payload for e in _events(db, engagement_id) if e.event == "stakeholder_contacts_exported"] == [
        {"format": "csv", "stakeholders": 11}
    ]

    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        exported = _export(db, clock, engagement_id, fmt)
        assert b"@" not in exported.content
        graph = read(io.BytesIO(exported.content))
        assert graph.number_of_nodes() == 11
        assert graph.nodes["maison"]["label"] == "Maison des associations"
        assert "community" in graph.nodes["maison"]
    with pytest.raises(InvalidInput):
        _export(db, clock, engagement_id, "xlsx")


def test_contact_details_are_erasable_and_no_event_holds_personal_data(db, clock, register) -> None:
    register.load()
    dupont = register.ids["dupont"]
    with db.transaction() as session:
        assert service.erase_contacts(
            session, engagement_id=register.engagement_id, stakeholder_id=dupont, actor=CHEF, clock=clock
        )
    with db.transaction() as session:
        assert not service.erase_contacts(
            session, engagement_id=register.engagement_id, stakeholder_id=dupont, actor=CHEF, clock=clock
        )
        assert session.get(StakeholderContactRow, dupont) is None
    assert b"@" not in _export(db, clock, register.engagement_id, "csv", include_contacts=True).content
    events = _events(db, register.engagement_id)
    assert [e.payload for e in events if e.event == "stakeholder_contact_erased"] == [
        {"stakeholder_id": dupont, "erased": True},
        {"stakeholder_id": dupont, "erased": False},
    ]
    logged = json.dumps([e.payload for e in events], ensure_ascii=False)
    for personal in ("Dupont", "dupont", "@", "Collectif", "collectif"):
        assert personal not in logged


# --- analysis and pictures --------------------------------------------------------------------------------


def test_the_analysis_measures_coverage_against_the_model(db, clock, register) -> None:
    register.load()
    register.consult("entretiens", "maire", "conseil")
    with db.reading() as session:
        analysis = service.analyse(session, register.engagement_id)
        drawn = service.pictures(session, register.engagement_id)
    [diagnostic] = [stage for stage in analysis.coverage if stage.stage_key == "diagnostic"]
    assert [party.id for party in diagnostic.missing_key_players] == ["collectif", "promoteur"]
    assert [category.value for category in diagnostic.missing_categories] == ["organisation_syndicale"]
    assert [(pair.first.id, pair.second.id) for pair in analysis.conflicts] == [("collectif", "promoteur")]
    assert [mediator.party.id for mediator in analysis.conflicts[0].mediators] == ["maison"]
    assert drawn.stakeholder_map_svg.startswith("<svg")
    assert "Maison des associations" in drawn.stakeholder_map_svg
    assert "Grille pouvoir / intérêt" in drawn.power_interest_svg


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
        after_launch=service.importer_for(REGISTER_CSV, actor=CHEF, clock=clock),
    )
    for outcome in outcomes:
        assert _count(db, StakeholderRow, outcome.engagement_id) == 11
    with pytest.raises(ImportRejected):  # a bad file is refused before anything is launched
        service.importer_for("Nom;Catégorie;Pouvoir;Intérêt\nX;martiens;1;1\n", actor=CHEF, clock=clock)


# --- text that would break the exports ------------------------------------------------------------------


def test_control_characters_are_refused_at_every_door_of_the_register(db, clock, register) -> None:
    register.load()
    engagement_id, maire = register.engagement_id, register.ids["maire"]
    bad = "ctl\u0001\u0002\u000b end"
    with db.transaction() as session, pytest.raises(InvalidInput) as added:
        service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            actor=CHEF,
            clock=clock,
            data=StakeholderData("k", bad, "organisation", "autre", 1, 1, tags=("ok", "nul\u0000")),
        )
    assert added.value.code == "text.control_character"
    assert [(r.path, r.details["character"]) for r in added.value.reasons] == [
        ("name", "U+0001"),
        ("tags.1", "U+0000"),
    ]
    attempts = [
        lambda session: service.update_stakeholder(
            session,
            engagement_id=engagement_id,
            stakeholder_id=maire,
            changes={"name": bad},
            actor=CHEF,
            clock=clock,
        ),
        lambda session: service.set_contact(
            session,
            engagement_id=engagement_id,
            stakeholder_id=maire,
            contact=Contact(email="a\u0001@b.fr"),
            actor=CHEF,
            clock=clock,
        ),
        lambda session: service.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key="entretiens",
            held_on="2026-03-10",
            format="atelier",
            stakeholder_ids=[maire],
            summary="bip\u0007",
            actor=CHEF,
            clock=clock,
        ),
    ]
    for attempt in attempts:
        with db.transaction() as session, pytest.raises(InvalidInput) as refused:
            attempt(session)
        assert "text.control_character" in [refused.value.code, *(r.code for r in refused.value.reasons)]
    with db.reading() as session:
        assert [row.name for row in service.list_stakeholders(session, engagement_id)].count(bad) == 0


def test_exports_and_pictures_stay_well_formed_whatever_was_stored(db, clock, register) -> None:
    register.load()
    engagement_id = register.engagement_id
    stored = "ctl\u0001\u0002\u000b end \ufffe"
    with db.transaction() as session:  # written before the input rules
        session.execute(
            update(StakeholderRow)
            .where(StakeholderRow.id == register.ids["maire"])
            .values(name=stored, tags=["x\u001fy"])
        )
    for fmt in ("graphml", "gexf"):
        root = ET.fromstring(_export(db, clock, engagement_id, fmt).content)
        assert "ctl\ufffd\ufffd\ufffd end \ufffd" in ET.tostring(root, encoding="unicode")
    assert stored in _export(db, clock, engagement_id, "csv").content.decode("utf-8-sig")
    with db.reading() as session:
        pictures = service.pictures(session, engagement_id)
    ET.fromstring(pictures.stakeholder_map_svg)
    ET.fromstring(pictures.power_interest_svg)
