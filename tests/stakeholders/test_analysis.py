from __future__ import annotations

import json
import random
from datetime import date

import networkx as nx
import pytest

from gouvernance.errors import InvalidInput
from gouvernance.stakeholders.analysis import algorithms
from gouvernance.stakeholders.analysis.algorithms import (
    betweenness,
    conflict_pairs,
    find_brokers,
    find_communities,
    isolated_key_players,
)
from gouvernance.stakeholders.analysis.classification import mendelow_quadrant, mitchell_class
from gouvernance.stakeholders.analysis.coverage import consultation_coverage
from gouvernance.stakeholders.analysis.graph import build_graph, prepare
from gouvernance.stakeholders.analysis.overview import analyse
from gouvernance.stakeholders.records import (
    ConsultationData,
    Contact,
    RelationData,
    StageRequirement,
    StakeholderData,
)
from gouvernance.stakeholders.vocabulary import Category, Quadrant, SalienceAttribute, SalienceClass

from .conftest import person, tie

# --- Classifications --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("power", "interest", "quadrant"),
    [
        (5, 5, Quadrant.gerer_etroitement),
        (4, 4, Quadrant.gerer_etroitement),
        (5, 3, Quadrant.satisfaire),
        (4, 1, Quadrant.satisfaire),
        (3, 5, Quadrant.informer),
        (1, 4, Quadrant.informer),
        (3, 3, Quadrant.surveiller),
        (1, 1, Quadrant.surveiller),
        (3.5, 3.5, Quadrant.gerer_etroitement),  # averaged scores: 3.5 is already high
    ],
)
def test_mendelow_quadrant_counts_4_and_5_as_high(power: float, interest: float, quadrant: Quadrant) -> None:
    assert mendelow_quadrant(power, interest) is quadrant


@pytest.mark.parametrize(("power", "interest"), [(0, 3), (3, 6), (True, 3)])
def test_mendelow_quadrant_refuses_scores_off_the_scale(power: int, interest: int) -> None:
    with pytest.raises(InvalidInput):
        mendelow_quadrant(power, interest)


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        (set(), SalienceClass.non_stakeholder),
        ({"pouvoir"}, SalienceClass.dormant),
        ({"legitimite"}, SalienceClass.discretionary),
        ({"urgence"}, SalienceClass.demanding),
        ({"pouvoir", "legitimite"}, SalienceClass.dominant),
        ({"pouvoir", "urgence"}, SalienceClass.dangerous),
        ({"legitimite", "urgence"}, SalienceClass.dependent),
        ({"pouvoir", "legitimite", "urgence"}, SalienceClass.definitive),
    ],
)
def test_mitchell_class_of_each_combination(attributes: set[str], expected: SalienceClass) -> None:
    assert mitchell_class(attributes) is expected
    assert mitchell_class(SalienceAttribute(value) for value in attributes) is expected


def test_mitchell_class_refuses_an_unknown_attribute() -> None:
    with pytest.raises(InvalidInput):
        mitchell_class({"charisme"})


# --- The graph --------------------------------------------------------------------------------------------


def test_graph_holds_the_stakeholders_and_their_classes_but_no_contact() -> None:
    mairie = person(
        "mairie",
        5,
        5,
        category="elu",
        salience=frozenset({"pouvoir", "legitimite", "urgence"}),
        contact=Contact(email="maire@example.fr"),
    )
    graph = build_graph([mairie, person("asso")], [tie("asso", "mairie", "finance", 2.5)])
    node = graph.nodes["mairie"]
    assert node["quadrant"] is Quadrant.gerer_etroitement
    assert node["salience_class"] is SalienceClass.definitive
    assert node["category"] is Category.elu
    assert "maire@example.fr" not in repr(dict(graph.nodes(data=True)))
    assert graph.edges["asso", "mairie", "finance"]["weight"] == 2.5


def test_graph_is_refused_with_every_problem_listed() -> None:
    stakeholders = [person("a"), person("b"), person("a")]
    relations = [
        tie("a", "b", "partenaire"),
        tie("b", "a", "partenaire"),  # the same partnership
        tie("a", "inconnu", "influence"),
        tie("a", "b", "influence"),
        tie("b", "a", "influence"),  # a directed relation each way is two relations
    ]
    with pytest.raises(InvalidInput) as refused:
        build_graph(stakeholders, relations)
    assert sorted(reason.code for reason in refused.value.reasons) == [
        "stakeholders.duplicate_id",
        "stakeholders.duplicate_relation",
        "stakeholders.unknown_stakeholder",
    ]


# --- Brokers ----------------------------------------------------------------------------------------------


def test_the_go_between_of_two_groups_is_the_first_broker(two_cliques) -> None:  # type: ignore[no-untyped-def]
    graph = build_graph(*two_cliques)
    brokers = find_brokers(graph, top=3, communities=find_communities(graph))
    assert brokers[0].party.id == "pont"
    assert {broker.party.id for broker in brokers[1:]} == {"a0", "b0"}  # the two doors of the groups
    assert brokers[0].communities_linked == 2


def test_the_centre_of_a_star_is_the_only_broker() -> None:
    leaves = [person(f"f{index}") for index in range(6)]
    graph = build_graph([person("centre"), *leaves], [tie("centre", leaf.id, "membre_de") for leaf in leaves])
    brokers = find_brokers(graph)
    assert [broker.party.id for broker in brokers] == ["centre"]
    assert brokers[0].score == pytest.approx(1.0)


def _random_map(size: int, ties: int, seed: int) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    stakeholders = [person(f"s{index:03d}") for index in range(size)]
    relations: dict[object, RelationData] = {}
    while len(relations) < ties:
        first, second = rng.sample(range(size), 2)
        relation = tie(f"s{first:03d}", f"s{second:03d}", rng.choice(["partenaire", "influence", "conflit"]))
        relations.setdefault(relation.identity, relation)
    return build_graph(stakeholders, relations.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_betweenness_is_brandes_exactly_as_networkx_computes_it(seed: int) -> None:
    network = prepare(_random_map(80, 140, seed))
    reference = nx.betweenness_centrality(network.cooperation)
    computed = betweenness(network)
    assert computed.exact
    assert computed.scores == pytest.approx(reference, abs=1e-12)


def test_sampled_betweenness_is_the_seeded_networkx_estimate() -> None:
    network = prepare(_random_map(80, 140, 4))
    computed = betweenness(network, exact_max_nodes=50, samples=20, seed=99)
    assert not computed.exact
    assert computed.sources == 20
    assert computed.scores == pytest.approx(
        nx.betweenness_centrality(network.cooperation, k=20, seed=99), abs=1e-12
    )
    assert betweenness(network, exact_max_nodes=50, samples=20, seed=99).scores == computed.scores


# --- Communities ------------------------------------------------------------------------------------------


def test_two_groups_joined_by_one_go_between_are_two_communities(two_cliques) -> None:  # type: ignore[no-untyped-def]
    communities = find_communities(build_graph(*two_cliques))
    members = [set(community.members) for community in communities]
    assert len(members) == 2
    assert {f"a{index}" for index in range(5)} <= members[0] | members[1]
    assert any(group >= {f"a{index}" for index in range(5)} for group in members)
    assert any(group >= {f"b{index}" for index in range(5)} for group in members)
    assert communities[0].categories == {Category.habitant_usager: communities[0].size}


def test_communities_do_not_depend_on_the_order_of_the_records(two_cliques) -> None:  # type: ignore[no-untyped-def]
    stakeholders, relations = two_cliques
    shuffled = random.Random(5)
    other_stakeholders, other_relations = list(stakeholders), list(relations)
    shuffled.shuffle(other_stakeholders)
    shuffled.shuffle(other_relations)
    first = find_communities(build_graph(stakeholders, relations))
    second = find_communities(build_graph(other_stakeholders, other_relations))
    assert first == second


def test_large_maps_use_seeded_louvain_and_still_find_the_groups(  # type: ignore[no-untyped-def]
    two_cliques, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(algorithms, "LOUVAIN_DIRECT_MAX_TIES", 5)
    graph = build_graph(*two_cliques)
    assert algorithms.community_algorithm(graph)["algorithm"] == "label_propagation+louvain"
    members = [set(community.members) for community in find_communities(graph)]
    assert any(group >= {f"a{index}" for index in range(5)} for group in members)
    assert any(group >= {f"b{index}" for index in range(5)} for group in members)


# --- Isolated key players ---------------------------------------------------------------------------------


def test_key_players_without_any_cooperation_are_reported() -> None:
    definitive = frozenset({"pouvoir", "legitimite", "urgence"})
    stakeholders = [
        person("prefet", 5, 5, name="Préfecture"),  # key player, no relation at all
        person("promoteur", 4, 4),  # key player whose only relation is a conflict
        person("syndicat", 1, 2, salience=definitive),  # definitive salience, low power: key player
        person("mairie", 5, 5),  # key player with a partner
        person("asso", 3, 5),
        person("voisin", 1, 1),  # isolated but nobody in particular
    ]
    relations = [tie("mairie", "asso"), tie("promoteur", "asso", "conflit")]
    found = isolated_key_players(build_graph(stakeholders, relations))
    assert [(player.party.id, player.conflicts) for player in found] == [
        ("prefet", 0),
        ("promoteur", 1),
        ("syndicat", 0),
    ]
    assert found[2].salience_class is SalienceClass.definitive


# --- Conflicts and mediators ------------------------------------------------------------------------------


def test_conflict_pairs_come_with_their_possible_mediators() -> None:
    stakeholders = [
        person(node) for node in ("riverains", "promoteur", "mairie", "cci", "collectif", "voisin")
    ]
    relations = [
        tie("riverains", "promoteur", "conflit", 3.0),
        tie("mairie", "riverains", "partenaire", 2.0),  # tied to both sides: mediator
        tie("mairie", "promoteur", "influence", 3.0),
        tie("cci", "promoteur", "membre_de", 1.0),  # tied to both sides, more weakly
        tie("riverains", "cci", "partenaire", 0.5),
        tie("collectif", "riverains", "membre_de"),  # tied to both, but in conflict with one: excluded
        tie("collectif", "promoteur", "influence"),
        tie("collectif", "promoteur", "conflit"),
        tie("voisin", "riverains"),  # tied to one side only: excluded
    ]
    pairs = conflict_pairs(build_graph(stakeholders, relations))
    assert [(pair.first.id, pair.second.id, pair.weight) for pair in pairs] == [
        ("promoteur", "riverains", 3.0),
        ("collectif", "promoteur", 1.0),
    ]
    mediators = pairs[0].mediators
    assert [mediator.party.id for mediator in mediators] == ["mairie", "cci"]
    assert mediators[0].score == 5.0
    assert (mediators[0].weight_to_first, mediators[0].weight_to_second) == (3.0, 2.0)  # promoteur, riverains
    assert pairs[0].mediator_count == 2
    assert pairs[1].mediators == ()


def test_mediators_are_capped_but_counted() -> None:
    sides = [person("a"), person("b")]
    helpers = [person(f"m{index}") for index in range(4)]
    relations = [tie("a", "b", "conflit")]
    relations += [
        tie(helper.id, side.id, "partenaire", 1.0 + index)
        for index, helper in enumerate(helpers)
        for side in sides
    ]
    [pair] = conflict_pairs(build_graph(sides + helpers, relations), max_mediators=2)
    assert [mediator.party.id for mediator in pair.mediators] == ["m3", "m2"]
    assert pair.mediator_count == 4


# --- Consultation coverage --------------------------------------------------------------------------------


def _coverage_map() -> nx.MultiDiGraph:
    return build_graph(
        [
            person("maire", 5, 5, category="elu", name="Maire"),
            person("dgs", 4, 5, category="agent_territorial", name="DGS"),
            person("habitante", 1, 4, name="Mme Habitante"),
            person("boulangerie", 2, 2, category="entreprise", name="Boulangerie"),
        ],
        [],
    )


def test_coverage_reports_what_each_stage_still_misses() -> None:
    consultations = [
        ConsultationData(
            "c2", date(2025, 3, 2), "atelier", frozenset({"habitante", "maire"}), stage_key="diagnostic"
        ),
        ConsultationData("c1", date(2025, 3, 1), "entretien", frozenset({"maire"}), "etape-1", "diagnostic"),
        ConsultationData(
            "c3", date(2025, 4, 1), "questionnaire", frozenset({"boulangerie"}), stage_key="evaluation"
        ),
        ConsultationData(
            "c4", date(2025, 4, 2), "questionnaire", frozenset({"dgs"})
        ),  # no stage: counts nowhere
    ]
    requirement = StageRequirement(
        "diagnostic",
        frozenset({Category.habitant_usager, Category.entreprise}),
        frozenset({Quadrant.gerer_etroitement}),
    )
    diagnostic, evaluation = consultation_coverage(_coverage_map(), consultations, [requirement])
    assert diagnostic.stage_key == "diagnostic"
    assert diagnostic.consultation_ids == ("c1", "c2")
    assert [party.name for party in diagnostic.consulted] == ["Maire", "Mme Habitante"]
    assert diagnostic.missing_categories == (Category.entreprise,)
    assert [party.name for party in diagnostic.required_key_players] == ["DGS", "Maire"]
    assert [party.name for party in diagnostic.missing_key_players] == ["DGS"]
    assert not diagnostic.complete
    assert diagnostic.ratio == pytest.approx(2 / 4)
    assert evaluation.stage_key == "evaluation"
    assert evaluation.complete


def test_a_required_stage_without_any_consultation_misses_everything() -> None:
    [stage] = consultation_coverage(
        _coverage_map(), [], [StageRequirement("evaluation", frozenset({Category.elu}))]
    )
    assert stage.consulted == ()
    assert stage.missing_categories == (Category.elu,)
    assert stage.ratio == 0.0


def test_coverage_refuses_consultations_of_unknown_stakeholders() -> None:
    consultation = ConsultationData("c1", date(2025, 1, 1), "atelier", frozenset({"fantome"}), stage_key="s")
    with pytest.raises(InvalidInput) as refused:
        consultation_coverage(_coverage_map(), [consultation], [])
    assert "fantome" in refused.value.reasons[0].fr


# --- Everything at once -----------------------------------------------------------------------------------


def test_analysis_is_plain_json_with_french_or_english_labels(two_cliques) -> None:  # type: ignore[no-untyped-def]
    stakeholders, relations = two_cliques
    stakeholders = [
        *stakeholders,
        person("prefet", 5, 5, category="partenaire_institutionnel", name="Préfecture"),
    ]
    relations = [*relations, tie("a1", "b1", "conflit")]
    consultations = [
        ConsultationData("c1", date(2025, 1, 1), "atelier", frozenset({"a1"}), stage_key="diagnostic")
    ]
    result = analyse(build_graph(stakeholders, relations), consultations, [StageRequirement("diagnostic")])
    french = json.loads(json.dumps(result.as_dict()))
    assert french["stakeholder_count"] == 12
    assert french["brokers"][0]["id"] == "pont"
    assert french["isolated_key_players"][0]["quadrant"] == "gérer étroitement"
    assert french["conflicts"][0]["mediators"] == []  # a1 and b1 share no partner
    assert french["counts"]["category"]["partenaire institutionnel"] == 1
    assert french["method"]["betweenness"]["exact"] is True
    english = result.as_dict("en")
    assert english["isolated_key_players"][0]["quadrant"] == "manage closely"
    assert {profile["id"] for profile in french["profiles"]} == {s.id for s in stakeholders}


def test_an_empty_map_gives_an_empty_analysis() -> None:
    result = analyse(build_graph([], []))
    assert result.as_dict()["brokers"] == []
    assert result.communities == ()


def test_timings_are_reported_when_asked(two_cliques) -> None:  # type: ignore[no-untyped-def]
    timings: dict[str, float] = {}
    analyse(build_graph(*two_cliques), timings=timings)
    assert {"prepare", "communities", "betweenness", "conflicts", "coverage"} <= set(timings)
    assert all(seconds >= 0 for seconds in timings.values())


def test_a_prepared_network_can_be_reused(two_cliques) -> None:  # type: ignore[no-untyped-def]
    network = prepare(build_graph(*two_cliques))
    assert prepare(network) is network
    assert find_brokers(network)[0].party.id == "pont"
    assert isinstance(network.graph, nx.MultiDiGraph)


def test_records_that_differ_only_by_contact_build_the_same_map() -> None:
    plain = StakeholderData("a", "A", "personne", "elu", 3, 3)
    with_contact = StakeholderData("a", "A", "personne", "elu", 3, 3, contact=Contact(phone="0476000000"))
    assert dict(build_graph([plain], []).nodes(data=True)) == dict(
        build_graph([with_contact], []).nodes(data=True)
    )


@pytest.mark.parametrize("weight", [1e-200, 5e-324, 1e200])
def test_communities_are_found_whatever_the_scale_of_the_weights(weight: float) -> None:
    """Tiny weights made modularity divide by zero, huge ones overflow: the analysis scales them."""
    people = [person(node) for node in "abcde"]
    ties = [tie("a", "b"), tie("b", "c"), tie("a", "c"), tie("d", "e"), tie("c", "d", "conflit")]
    scaled = [RelationData(relation.source, relation.target, relation.type, 1.0, None) for relation in ties]
    for relation in scaled:
        object.__setattr__(relation, "weight", weight)  # stored before the bounds, or from the domain API
    communities = find_communities(build_graph(people, scaled))
    assert [community.members for community in communities] == [("a", "b", "c"), ("d", "e")]
    assert analyse(build_graph(people, scaled)) is not None
