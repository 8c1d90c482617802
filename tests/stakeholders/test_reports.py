"""What the register tells, read from the database: exports without personal data unless asked, the
analysis against the model's requirements, pictures that stay well formed."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections import Counter

import networkx as nx
import pytest
from sqlalchemy import event, update

from gouvernance.errors import InvalidInput
from gouvernance.stakeholders import reports
from gouvernance.stakeholders.tables import StakeholderRow
from tests.stakeholders.helpers import events_of, export_register

# --- exports ---------------------------------------------------------------------------------------------


REGISTER_TABLES = {
    "stakeholders",
    "stakeholder_contacts",
    "stakeholder_relations",
    "consultations",
    "consultation_participants",
}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_a_graph_export_reads_the_register_once(db, clock, register, fmt) -> None:
    """The analysis in the file and the file itself come from one read of the register: a big register is
    not read (nor its graph built) twice per download."""
    register.load()
    selects: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def record(_connection, _cursor, statement, *_rest) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(" ".join(statement.split()))

    try:
        exported = export_register(db, clock, register.engagement_id, fmt)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    on_register = [
        statement
        for statement in selects
        if REGISTER_TABLES & set(re.findall(r"\b(?:FROM|JOIN)\s+\"?(\w+)", statement))
    ]
    assert [statement for statement, times in Counter(on_register).items() if times > 1] == []
    assert sum(" FROM stakeholders " in f"{statement} " for statement in on_register) == 1
    assert b"betweenness" in exported.content  # the analysis is in the file


def test_exports_leave_contact_details_out_unless_asked(db, clock, register) -> None:
    register.load()
    engagement_id = register.engagement_id
    plain = export_register(db, clock, engagement_id, "csv")
    assert plain.media_type.startswith("text/csv")
    assert plain.filename == "parties-prenantes-saint-jean-de-braye.csv"
    text = plain.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"Identifiant";"Nom";"Type";"Catégorie"')
    assert "Courriel" not in text
    assert "@" not in text
    assert "stakeholder_contacts_exported" not in [e.event for e in events_of(db, engagement_id)]

    internal = export_register(db, clock, engagement_id, "csv", include_contacts=True)
    assert "jeanne.dupont@courriel.example" in internal.content.decode("utf-8-sig")
    assert internal.filename.endswith("-avec-coordonnees.csv")
    assert [
        e.payload for e in events_of(db, engagement_id) if e.event == "stakeholder_contacts_exported"
    ] == [{"format": "csv", "stakeholders": 11}]

    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        exported = export_register(db, clock, engagement_id, fmt)
        assert b"@" not in exported.content
        graph = read(io.BytesIO(exported.content))
        assert graph.number_of_nodes() == 11
        assert graph.nodes["maison"]["label"] == "Maison des associations"
        assert "community" in graph.nodes["maison"]
    with pytest.raises(InvalidInput):
        export_register(db, clock, engagement_id, "xlsx")


# --- analysis and pictures --------------------------------------------------------------------------------


def test_the_analysis_measures_coverage_against_the_model(db, clock, register) -> None:
    register.load()
    register.consult("entretiens", "maire", "conseil")
    with db.reading() as session:
        analysis = reports.analyse(session, register.engagement_id)
        drawn = reports.pictures(session, register.engagement_id)
    [diagnostic] = [stage for stage in analysis.coverage if stage.stage_key == "diagnostic"]
    assert [party.id for party in diagnostic.missing_key_players] == ["collectif", "promoteur"]
    assert [category.value for category in diagnostic.missing_categories] == ["organisation_syndicale"]
    assert [(pair.first.id, pair.second.id) for pair in analysis.conflicts] == [("collectif", "promoteur")]
    assert [mediator.party.id for mediator in analysis.conflicts[0].mediators] == ["maison"]
    assert drawn.stakeholder_map_svg.startswith("<svg")
    assert "Maison des associations" in drawn.stakeholder_map_svg
    assert "Grille pouvoir / intérêt" in drawn.power_interest_svg


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
        root = ET.fromstring(export_register(db, clock, engagement_id, fmt).content)
        assert "ctl\ufffd\ufffd\ufffd end \ufffd" in ET.tostring(root, encoding="unicode")
    assert stored in export_register(db, clock, engagement_id, "csv").content.decode("utf-8-sig")
    with db.reading() as session:
        pictures = reports.pictures(session, engagement_id)
    ET.fromstring(pictures.stakeholder_map_svg)
    ET.fromstring(pictures.power_interest_svg)
