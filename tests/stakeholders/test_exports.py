from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gouvernance.stakeholders.analysis.graph import build_graph
from gouvernance.stakeholders.analysis.overview import analyse
from gouvernance.stakeholders.csv_import import parse_stakeholder_csv
from gouvernance.stakeholders.exports import stakeholders_csv, stakeholders_gexf, stakeholders_graphml
from gouvernance.stakeholders.pictures.grid import power_interest_grid_svg
from gouvernance.stakeholders.pictures.map import stakeholder_map_svg
from gouvernance.stakeholders.records import Contact, RelationData, StakeholderData

STAKEHOLDERS = [
    StakeholderData(
        "mairie",
        "Mairie de Voiron",
        "organisation",
        "elu",
        5,
        5,
        "favorable",
        frozenset({"pouvoir", "legitimite"}),
        "collaborer",
        ("pilotage", "élus"),
        contact=Contact(email="maire@voiron.fr", phone="04 76 00 00 00"),
    ),
    StakeholderData("asso", '=HYPERLINK("http://x")', "organisation", "association", 3, 5, "oppose"),
    StakeholderData(
        "dupont",
        "Mme Dupont",
        "personne",
        "habitant_usager",
        5,
        1,
        contact=Contact(phone="+33 6 00 00 00 00"),
    ),
]
RELATIONS = [
    RelationData("asso", "mairie", "partenaire", 2.0, date(2024, 1, 15)),
    RelationData("asso", "dupont", "conflit", 3.0),
    RelationData("dupont", "asso", "membre_de"),
]
PERSONAL = ("maire@voiron.fr", "04 76 00 00 00", "+33 6 00 00 00 00")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_is_french_semicolon_separated_and_free_of_contact_details() -> None:
    text = stakeholders_csv(STAKEHOLDERS)
    assert text.startswith("\ufeff")
    header, mairie, *_ = _rows(text)
    assert header[:6] == ["Identifiant", "Nom", "Type", "Catégorie", "Pouvoir", "Intérêt"]
    assert "Courriel" not in header
    assert mairie[:4] == ["mairie", "Mairie de Voiron", "organisation", "élu"]
    assert "gérer étroitement" in mairie
    assert "pouvoir, légitimité" in mairie
    assert not any(value in text for value in PERSONAL)


def test_csv_contacts_only_when_asked() -> None:
    header, mairie, _, dupont = _rows(stakeholders_csv(STAKEHOLDERS, include_contacts=True))
    assert header[-2:] == ["Courriel", "Téléphone"]
    assert mairie[-2:] == ["maire@voiron.fr", "04 76 00 00 00"]
    assert dupont[-2:] == ["", "'+33 6 00 00 00 00"]  # guarded: a spreadsheet would read « + » as a formula


def test_csv_in_english() -> None:
    header, mairie, *_ = _rows(stakeholders_csv(STAKEHOLDERS, lang="en"))
    assert header[:4] == ["Identifier", "Name", "Kind", "Category"]
    assert mairie[3] == "elected official"


def test_formulas_are_neutralised_in_the_file() -> None:
    [_, _, asso, _] = _rows(stakeholders_csv(STAKEHOLDERS))
    assert asso[1] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("name", ["-Collectif", "@quartier", "'=déjà protégé", "L'Atelier", "'Les Amis'"])
def test_names_that_look_like_formulas_read_back_unchanged(name: str) -> None:
    stakeholder = StakeholderData("x", name, "organisation", "association", 2, 2)
    [imported] = parse_stakeholder_csv(stakeholders_csv([stakeholder])).stakeholders
    assert imported.name == name


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_csv_export_reads_back_as_the_same_stakeholders(lang: str) -> None:
    text = stakeholders_csv(STAKEHOLDERS, include_contacts=True, lang=lang)
    imported = parse_stakeholder_csv(text.encode("utf-8"))
    assert imported.stakeholders == STAKEHOLDERS
    assert [s.contact for s in imported.stakeholders] == [s.contact for s in STAKEHOLDERS]
    # Power 5 without any salience attribute stays without: « non partie prenante » is written out.
    assert imported.stakeholders[2].salience == frozenset()


def test_graphml_has_plain_attributes_and_no_contact_details() -> None:
    data = stakeholders_graphml(STAKEHOLDERS, RELATIONS)
    assert not any(value.encode() in data for value in PERSONAL)
    graph = nx.read_graphml(io.BytesIO(data))
    assert sorted(graph.nodes) == ["asso", "dupont", "mairie"]
    assert graph.nodes["mairie"]["label"] == "Mairie de Voiron"
    assert graph.nodes["mairie"]["category"] == "elu"
    assert graph.nodes["mairie"]["salience"] == "pouvoir,legitimite"
    assert graph.nodes["mairie"]["quadrant"] == "gerer_etroitement"
    assert graph.nodes["mairie"]["power"] == 5
    edges = {(u, v, d["relation"]): d for u, v, d in graph.edges(data=True)}
    assert edges[("asso", "dupont", "conflit")]["directed"] is False
    assert edges[("dupont", "asso", "membre_de")]["directed"] is True
    assert edges[("asso", "mairie", "partenaire")]["start_date"] == "2024-01-15"


def test_graphml_with_contacts_and_analysis_when_asked() -> None:
    result = analyse(build_graph(STAKEHOLDERS, RELATIONS))
    graph = nx.read_graphml(
        io.BytesIO(stakeholders_graphml(STAKEHOLDERS, RELATIONS, include_contacts=True, analysis=result))
    )
    assert graph.nodes["mairie"]["email"] == "maire@voiron.fr"
    assert graph.nodes["asso"]["email"] == ""
    assert "community" in graph.nodes["asso"]
    assert graph.nodes["asso"]["betweenness"] == pytest.approx(1.0)  # the only path between the two others


def test_gexf_marks_symmetric_relations_mutual_and_has_no_contact_details() -> None:
    data = stakeholders_gexf(STAKEHOLDERS, RELATIONS)
    assert not any(value.encode() in data for value in PERSONAL)
    root = ET.fromstring(data)
    namespace = {"g": "http://www.gexf.net/1.2draft"}
    edges = root.findall(".//g:edge", namespace)
    types = sorted((edge.get("source"), edge.get("target"), edge.get("type")) for edge in edges)
    assert types == [
        ("asso", "dupont", "mutual"),
        ("asso", "mairie", "mutual"),
        ("dupont", "asso", "directed"),
    ]
    labels = sorted(node.get("label") for node in root.findall(".//g:node", namespace))
    assert labels == ['=HYPERLINK("http://x")', "Mairie de Voiron", "Mme Dupont"]
    graph = nx.read_gexf(io.BytesIO(data))
    assert graph.has_edge("mairie", "asso")  # mutual: the partnership reads both ways
    assert graph.number_of_edges() == 5


def test_gexf_with_contacts_when_asked() -> None:
    assert b"maire@voiron.fr" in stakeholders_gexf(STAKEHOLDERS, RELATIONS, include_contacts=True)


# --- what spreadsheets would run, whichever separator they split on ----------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RISKY = [
    StakeholderData("a", "x,=cmd|' /C calc'!A0", "organisation", "association", 2, 2, tags=("-2", "ok")),
    StakeholderData("b", "y;@SUM(1+1)", "organisation", "association", 2, 2, tags=("a", "+33 6")),
    StakeholderData("c", "Dupont, '=déjà", "personne", "habitant_usager", 2, 2),
    StakeholderData("d", "z,\t=1; +2", "personne", "habitant_usager", 2, 2),
]


@pytest.mark.parametrize("separator", [",", ";"])
def test_no_cell_starts_a_formula_whichever_separator_a_spreadsheet_splits_on(separator: str) -> None:
    text = stakeholders_csv(RISKY).removeprefix("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=separator) for cell in row]
    cells += [cell for line in text.split("\r\n") for cell in line.split(separator)]
    assert len(cells) > 2 * len(RISKY)
    assert not [cell for cell in cells if cell.lstrip(' "').startswith(FORMULA_STARTS)]


def test_every_cell_is_quoted_and_reads_back_unchanged() -> None:
    text = stakeholders_csv(RISKY)
    header, *rows = text.removeprefix("\ufeff").split("\r\n")[:-1]
    assert header.startswith('"Identifiant";"Nom";')
    assert all(line.startswith('"') and line.endswith('"') for line in rows)
    readable = RISKY[:3]  # the import refuses a tab in a name
    imported = parse_stakeholder_csv(stakeholders_csv(readable).encode())
    assert [(s.name, s.tags) for s in imported.stakeholders] == [(s.name, s.tags) for s in readable]


# --- whatever was stored, the graph files and pictures stay well-formed XML --------------------------------

# Any code point, lone surrogates included: SQLite stores them as they come.
ANY_TEXT = st.text(st.characters(exclude_categories=()), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(ANY_TEXT, min_size=1, max_size=4, unique_by=lambda name: name.strip()),
    tag=ANY_TEXT,
    key=ANY_TEXT,
    lang=st.sampled_from(["fr", "en"]),
)
def test_any_unicode_in_names_tags_and_keys_still_gives_well_formed_exports(
    names: list[str], tag: str, key: str, lang: str
) -> None:
    stakeholders = [
        StakeholderData(
            f"{key}-{index}",
            name,
            "organisation",
            "association",
            1 + index % 5,
            5 - index % 5,
            tags=(tag,),
            contact=Contact(email="a@b.fr"),
        )
        for index, name in enumerate(names)
    ]
    relations = [RelationData(stakeholders[0].id, s.id, "conflit") for s in stakeholders[1:]]
    result = analyse(build_graph(stakeholders, relations))
    for write in (stakeholders_graphml, stakeholders_gexf):
        data = write(stakeholders, relations, include_contacts=True, analysis=result, lang=lang)
        ET.fromstring(data)
    graph = nx.read_graphml(io.BytesIO(stakeholders_graphml(stakeholders, relations)))
    assert graph.number_of_nodes() == len(stakeholders)
    ET.fromstring(stakeholder_map_svg(build_graph(stakeholders, relations), lang=lang))
    ET.fromstring(power_interest_grid_svg(stakeholders, lang=lang))
    stakeholders_csv(stakeholders, include_contacts=True).encode("utf-8", "replace")


NOTED = StakeholderData(
    "parc",
    "Collectif du parc",
    "organisation",
    "association",
    4,
    5,
    "oppose",
    notes="Conflit sur le parc ; porteur politique.\nÀ revoir après le conseil : « urgent »",
)


def test_notes_go_out_in_the_csv_and_read_back() -> None:
    header, row = _rows(stakeholders_csv([NOTED]))
    assert header[-1] == "Notes"
    assert row[-1] == NOTED.notes
    [imported] = parse_stakeholder_csv(stakeholders_csv([NOTED]).encode("utf-8")).stakeholders
    assert imported.notes == NOTED.notes


def test_notes_are_a_node_attribute_of_the_graph_files() -> None:
    graph = nx.read_graphml(io.BytesIO(stakeholders_graphml([NOTED, *STAKEHOLDERS], RELATIONS)))
    assert graph.nodes["parc"]["notes"] == NOTED.notes
    assert graph.nodes["mairie"]["notes"] == ""
    gexf = nx.read_gexf(io.BytesIO(stakeholders_gexf([NOTED], [])))
    assert gexf.nodes["parc"]["notes"] == NOTED.notes
