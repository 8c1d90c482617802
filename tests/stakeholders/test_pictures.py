from __future__ import annotations

import random
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from importlib import resources

import pytest

from gouvernance.deliverables.model import DeliverableDocument, Figure, Section, Territory
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.demo.stakeholders_demo import DEMO_CSV
from gouvernance.demo.stakeholders_demo import RELATIONS as DEMO_RELATIONS
from gouvernance.stakeholders.analysis.graph import build_graph
from gouvernance.stakeholders.csv_import import parse_stakeholder_csv
from gouvernance.stakeholders.pictures.drawing import CATEGORY_COLOURS
from gouvernance.stakeholders.pictures.grid import power_interest_grid_svg
from gouvernance.stakeholders.pictures.map import CONFLICT_COLOUR, stakeholder_map_svg
from gouvernance.stakeholders.records import Contact, RelationData, StakeholderData
from gouvernance.stakeholders.vocabulary import Category, RelationType
from tests.processes import run

from .conftest import person, tie

SVG = "{http://www.w3.org/2000/svg}"

STAKEHOLDERS = [
    person(
        "mairie", 5, 5, category="elu", name="Mairie <de> Voiron", contact=Contact(email="maire@voiron.fr")
    ),
    person("asso", 3, 5, category="association", name="Association & Co", attitude="oppose"),
    person("promoteur", 4, 2, category="entreprise", name="Promoteur"),
    person("dupont", 1, 1, name="Mme Dupont", attitude="favorable"),
]
RELATIONS = [
    tie("asso", "mairie", "partenaire"),
    tie("promoteur", "mairie", "influence"),
    tie("asso", "promoteur", "conflit", 3),
]


def _titles(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}title")]


def test_the_map_is_valid_svg_with_a_title_for_every_stakeholder_and_relation() -> None:
    svg = stakeholder_map_svg(build_graph(STAKEHOLDERS, RELATIONS))
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "carte-title carte-desc"
    titles = _titles(root)
    assert titles[0] == "Carte des parties prenantes"
    assert root.find(f"{SVG}desc").text == "4 parties prenantes, 3 relations, 1 conflit."  # type: ignore[union-attr]
    for name in ("Mairie <de> Voiron", "Association & Co", "Promoteur", "Mme Dupont"):
        assert any(title.startswith(f"{name} — ") for title in titles)
    assert "Association & Co ⟷ Promoteur : en conflit avec" in titles
    assert "Promoteur ⟶ Mairie <de> Voiron : influence" in titles
    assert "maire@voiron.fr" not in svg


def test_conflicts_are_dashed_red_and_other_relations_are_not() -> None:
    root = ET.fromstring(stakeholder_map_svg(build_graph(STAKEHOLDERS, RELATIONS)))
    dashed = [
        element
        for element in root.iter()
        if element.get("stroke-dasharray") and element.find(f"{SVG}title") is not None
    ]
    assert len(dashed) == 1
    assert dashed[0].get("stroke") == CONFLICT_COLOUR
    lines = root.findall(f".//{SVG}line")
    arrows = [line for line in lines if line.get("marker-end")]
    assert len(arrows) == 2  # the influence, and the legend's sample; the partnership has no arrow


def test_discs_are_coloured_by_category_and_sized_by_power() -> None:
    root = ET.fromstring(stakeholder_map_svg(build_graph(STAKEHOLDERS, RELATIONS)))
    discs = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "stakeholder":
            discs[group.get("data-id")] = group.find(f"{SVG}circle")
    assert set(discs) == {"mairie", "asso", "promoteur", "dupont"}
    assert discs["mairie"].get("fill") == CATEGORY_COLOURS[Category.elu]  # type: ignore[union-attr]
    assert float(discs["mairie"].get("r", 0)) > float(discs["dupont"].get("r", 0))  # type: ignore[union-attr]


def test_the_legend_is_in_french_or_english() -> None:
    french = stakeholder_map_svg(build_graph(STAKEHOLDERS, RELATIONS))
    for text in ("Légende", "élu", "association", "conflit", "Pouvoir"):
        assert f">{text}" in french
    english = stakeholder_map_svg(build_graph(STAKEHOLDERS, RELATIONS), lang="en")
    assert "Stakeholder map" in english
    assert ">elected official<" in english
    assert 'xml:lang="en"' in english


def test_the_same_map_gives_the_same_picture_whatever_the_order_of_the_records() -> None:
    stakeholders = [person(f"p{index}", 1 + index % 5, 1 + index * 3 % 5) for index in range(25)]
    relations = [
        tie(f"p{index}", f"p{(index * 7 + 3) % 25}", "influence")
        for index in range(25)
        if (index * 7 + 3) % 25 != index
    ]
    shuffled = random.Random(1)
    other_stakeholders, other_relations = list(stakeholders), list(relations)
    shuffled.shuffle(other_stakeholders)
    shuffled.shuffle(other_relations)
    first = stakeholder_map_svg(build_graph(stakeholders, relations))
    assert first == stakeholder_map_svg(build_graph(other_stakeholders, other_relations))


def test_a_crowded_map_shows_the_most_influential_and_says_so() -> None:
    stakeholders = [
        person(f"p{index:02d}", 5 if index < 3 else 1, 5 if index < 3 else 1) for index in range(30)
    ]
    svg = stakeholder_map_svg(build_graph(stakeholders, []), max_nodes=10)
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}desc").text.endswith("10 affichées sur 30 (les plus influentes).")  # type: ignore[union-attr]
    drawn = [title for title in _titles(root) if " — " in title]
    assert len(drawn) == 10
    assert {"P00", "P01", "P02"} <= {title.split(" — ")[0] for title in drawn}


def test_an_empty_map_is_still_a_valid_picture() -> None:
    root = ET.fromstring(stakeholder_map_svg(build_graph([], [])))
    assert "Aucune partie prenante." in ET.tostring(root, encoding="unicode")


def _disc_centres(svg: str) -> dict[str, tuple[float, float]]:
    centres = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        circle = group.find(f"{SVG}circle")
        if group.get("class") == "stakeholder" and circle is not None:
            centres[group.get("data-id", "")] = (float(circle.get("cx", 0)), float(circle.get("cy", 0)))
    return centres


def _quadrant_boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for rect in ET.fromstring(svg).iter(f"{SVG}rect"):
        if rect.get("class") == "quadrant":
            x, y, width, height = (float(rect.get(key, 0)) for key in ("x", "y", "width", "height"))
            boxes[rect.get("data-quadrant", "")] = (x, y, x + width, y + height)
    return boxes


def test_the_grid_places_each_stakeholder_in_its_mendelow_quadrant() -> None:
    svg = power_interest_grid_svg(STAKEHOLDERS)
    boxes = _quadrant_boxes(svg)
    assert set(boxes) == {"gerer_etroitement", "satisfaire", "informer", "surveiller"}
    expected = {
        "mairie": "gerer_etroitement",
        "promoteur": "satisfaire",
        "asso": "informer",
        "dupont": "surveiller",
    }
    centres = _disc_centres(svg)
    assert set(centres) == set(expected)
    for identifier, (x, y) in centres.items():
        x0, y0, x1, y1 = boxes[expected[identifier]]
        assert x0 < x < x1, identifier
        assert y0 < y < y1, identifier
    for label in ("Gérer étroitement", "Satisfaire", "Informer", "Surveiller", "Intérêt →", "Pouvoir →"):
        assert f">{label}<" in svg


def test_the_grid_spreads_a_crowded_cell_deterministically_and_counts_the_rest() -> None:
    crowd = [person(f"h{index:02d}", 2, 4, name=f"Habitant {index:02d}") for index in range(40)]
    svg = power_interest_grid_svg(crowd, max_per_cell=30)
    assert svg == power_interest_grid_svg(list(reversed(crowd)), max_per_cell=30)
    centres = _disc_centres(svg)
    assert len(centres) == 30
    assert len(set(centres.values())) == 30  # no two discs on the same spot
    assert "+10 autres" in svg
    description = ET.fromstring(svg).find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert description == (
        "40 parties prenantes. gérer étroitement : 0 ; satisfaire : 0 ; informer : 40 ; surveiller : 0. "
        "Élevé à partir de 3,5 sur 5 (pouvoir comme intérêt)."
    )


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("fr", "élevé à partir de 3,5 sur 5"), ("en", "high from 3.5 / 5")],
)
def test_the_grid_shows_where_high_starts(lang: str, shown: str) -> None:
    """A reader can tell why a 3 is « surveiller » and a 4 is « gérer étroitement »."""
    svg = power_interest_grid_svg(STAKEHOLDERS, lang=lang)
    labels = [text.text for text in ET.fromstring(svg).iter(f"{SVG}text")]
    assert any(label and label.startswith(shown) for label in labels)


def test_the_grid_shows_attitudes_by_a_sign_not_only_a_colour() -> None:
    svg = power_interest_grid_svg(STAKEHOLDERS)
    signs = re.findall(r'aria-hidden="true">([+−])</text>', svg)
    assert sorted(signs) == ["+", "−"]
    assert ">opposé<" in svg
    assert ">favorable<" in svg


def test_an_empty_grid_is_still_a_valid_picture() -> None:
    root = ET.fromstring(power_interest_grid_svg([]))
    assert root.find(f"{SVG}desc").text == "Aucune partie prenante."  # type: ignore[union-attr]


def test_the_grid_names_a_lone_stakeholder_and_keeps_the_full_name_in_its_title() -> None:
    name = "Communauté d'agglomération du Pays Voironnais"
    stakeholder = StakeholderData("cape", name, "organisation", "partenaire_institutionnel", 3, 3)
    svg = power_interest_grid_svg([stakeholder])
    assert f"<title>{name} — partenaire institutionnel ; pouvoir 3/5, intérêt 3/5 ; neutre</title>" in svg
    [label] = _labels(svg)
    assert label == name  # whole, on several lines
    assert len(ET.fromstring(svg).find(f".//{SVG}text[@class='label']")) > 1  # type: ignore[arg-type]


# Every stakeholder named, whole: the demonstration's register (31 stakeholders, long names, 3 conflicts)


def _demo_register() -> tuple[list[StakeholderData], list[RelationData]]:
    content = resources.files("gouvernance.demo").joinpath(DEMO_CSV).read_bytes()
    relations = [
        RelationData(source, target, RelationType(kind), weight, date.fromisoformat(start) if start else None)
        for source, target, kind, weight, start in DEMO_RELATIONS
    ]
    return parse_stakeholder_csv(content).stakeholders, relations


def _labels(svg: str) -> list[str]:
    """The visible names: each label's lines (tspans) joined with a space."""
    return [
        " ".join("".join(span.itertext()) for span in text.iter(f"{SVG}tspan"))
        for text in ET.fromstring(svg).iter(f"{SVG}text")
        if text.get("class") == "label"
    ]


def test_the_map_names_every_stakeholder_of_a_real_register_whole() -> None:
    stakeholders, relations = _demo_register()
    labels = _labels(stakeholder_map_svg(build_graph(stakeholders, relations)))
    assert sorted(labels) == sorted(" ".join(s.name.split()) for s in stakeholders)
    assert any(
        label.startswith("Hélène Marchand, présidente de la communauté de communes") for label in labels
    )


def test_long_names_wrap_on_the_map_instead_of_being_cut() -> None:
    stakeholders, relations = _demo_register()
    root = ET.fromstring(stakeholder_map_svg(build_graph(stakeholders, relations)))
    lines = [
        "".join(span.itertext())
        for text in root.iter(f"{SVG}text")
        if text.get("class") == "label"
        for span in text.iter(f"{SVG}tspan")
    ]
    assert not [line for line in lines if "…" in line]
    assert max(len(line) for line in lines) <= 30
    assert len(lines) > len(stakeholders)  # some names take several lines


def test_a_dense_map_writes_its_names_smaller() -> None:
    stakeholders = [person(f"p{index:02d}", 1 + index % 5, 1 + index * 3 % 5) for index in range(80)]
    svg = stakeholder_map_svg(build_graph(stakeholders, []))
    sizes = {t.get("font-size") for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "label"}
    assert sizes == {"9"}
    assert len(_labels(svg)) == 80
    few = stakeholder_map_svg(build_graph(stakeholders[:10], []))
    assert {
        t.get("font-size") for t in ET.fromstring(few).iter(f"{SVG}text") if t.get("class") == "label"
    } == {"11"}


def test_the_grid_names_every_stakeholder_of_a_real_register_whole() -> None:
    stakeholders, _ = _demo_register()
    text = "\n".join(_labels(power_interest_grid_svg(stakeholders)))
    for stakeholder in stakeholders:
        assert " ".join(stakeholder.name.split()) in text, stakeholder.name
    assert "…" not in text


def test_a_crowded_cell_gets_a_letter_and_its_names_are_listed_under_the_grid() -> None:
    crowd = [person(f"h{index:02d}", 2, 4, name=f"Habitant numéro {index:02d}") for index in range(12)]
    svg = power_interest_grid_svg(
        [*crowd, person("seul", 5, 5, name="Conseil départemental")], max_per_cell=10
    )
    labels = _labels(svg)
    assert "Conseil départemental" in labels
    [key] = [label for label in labels if label.startswith("A (intérêt 4, pouvoir 2) : ")]
    assert key.count("Habitant numéro") == 10  # the drawn ones; the cell counts the other two
    assert "+2 autres" in svg
    assert ">A<" in svg


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_map_names_both_sides_of_every_conflict() -> None:
    stakeholders, relations = _demo_register()
    names = {s.id: s.name for s in stakeholders}
    map_svg = stakeholder_map_svg(build_graph(stakeholders, relations))
    document = DeliverableDocument(
        kind="rapport_etat_des_lieux",
        title="État des lieux",
        territory=Territory(name="Val Fleuri", kind="epci"),
        engagement_reference="DEMO",
        generated_at=datetime(2026, 12, 4, tzinfo=UTC),
        author="Équipe projet",
        sections=[
            Section(heading="Cartographie", blocks=[Figure(svg=map_svg, caption="Carte", alt="Carte")])
        ],
    )
    pdf = DocumentRenderer().render(document, "pdf").content
    pages = run(["pdftotext", "-raw", "-", "-"], input=pdf, text=False).stdout.decode("utf-8").split("\f")
    [page] = [page for page in pages if "Carte des parties prenantes" in page]
    text = " ".join(page.split())
    conflicts = [r for r in relations if r.type is RelationType.conflit]
    assert len(conflicts) == 3
    for conflict in conflicts:
        assert names[conflict.source] in text
        assert names[conflict.target] in text
