"""What the analysis tells a reader: who the key players are and why, what Mitchell's classes mean, where
Mendelow's "high" starts, and names in French order."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from gouvernance.stakeholders.analysis.graph import build_graph
from gouvernance.stakeholders.analysis.overview import analyse
from gouvernance.stakeholders.exports import stakeholders_graphml
from gouvernance.stakeholders.vocabulary import SalienceClass, french_sort_key

from .conftest import person

REGISTER = [
    person("zoe", 5, 5, name="Zoé Martin"),  # gérer étroitement
    person("etudiante", 2, 2, name="Étudiante du lycée", salience=["pouvoir", "legitimite", "urgence"]),
    person("maire", 5, 2, name="Maire", salience=["pouvoir", "legitimite"]),  # satisfaire, dominante
    person("voisin", 1, 1, name="Voisin"),  # no attribute recorded
]


def test_the_key_players_are_named_with_the_reason_in_french_order() -> None:
    result = analyse(build_graph(REGISTER, [])).as_dict("fr")
    assert [(player["name"], player["why"]) for player in result["key_players"]] == [
        ("Étudiante du lycée", ["Mitchell : définitive"]),
        ("Zoé Martin", ["Mendelow : gérer étroitement"]),
    ]


def test_every_mitchell_class_is_explained_and_counted() -> None:
    classes = analyse(build_graph(REGISTER, [])).as_dict("fr")["salience_classes"]
    assert [entry["code"] for entry in classes] == [member.value for member in SalienceClass]
    by_code = {entry["code"]: entry for entry in classes}
    assert by_code["non_stakeholder"]["count"] == 2  # Zoé and the neighbour: no attribute recorded
    assert by_code["non_stakeholder"]["explanation"].startswith("aucun attribut renseigné")
    assert by_code["dominant"]["count"] == 1
    assert all(entry["explanation"] for entry in classes)


@pytest.mark.parametrize(
    ("lang", "phrase"), [("fr", "élevé à partir de 3,5"), ("en", "3.5 and above is high")]
)
def test_the_mendelow_threshold_is_in_the_output(lang: str, phrase: str) -> None:
    mendelow = analyse(build_graph(REGISTER, [])).as_dict(lang)["mendelow"]
    assert mendelow["high_score_threshold"] == 3.5
    assert mendelow["scale"] == [1, 5]
    assert phrase in mendelow["explanation"]


def test_names_sort_as_a_french_reader_expects() -> None:
    names = ["Zoé", "étudiante", "Éric", "Eve", "Œuvre sociale", "Odile", "association"]
    assert sorted(names, key=french_sort_key) == [
        "association",
        "Éric",
        "étudiante",
        "Eve",
        "Odile",
        "Œuvre sociale",
        "Zoé",
    ]


def test_communities_are_numbered_from_1_wherever_they_are_shown(two_cliques) -> None:  # type: ignore[no-untyped-def]
    """The API, the command line (« N° ») and the graph files name the same group by the same number."""
    stakeholders, relations = two_cliques
    analysis = analyse(build_graph(stakeholders, relations))
    result = analysis.as_dict("fr")
    numbers = [community["number"] for community in result["communities"]]
    assert len(numbers) >= 2
    assert numbers == list(range(1, len(numbers) + 1))
    assert [community.number for community in analysis.communities] == numbers
    member_of = {m: c["number"] for c in result["communities"] for m in c["members"]}
    assert {p["id"]: p["community"] for p in result["profiles"]} == member_of
    graph = nx.read_graphml(io.BytesIO(stakeholders_graphml(stakeholders, relations, analysis=analysis)))
    assert {node: data["community"] for node, data in graph.nodes(data=True)} == member_of
