"""The dependency graphs of templates report the very cycle NetworkX reported (the messages name it), and the
same ancestors, on random small graphs."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from gouvernance.spec.dependencies import DependencyGraph


def _random_graphs(count: int) -> list[tuple[list[str], list[tuple[str, str]]]]:
    rng = random.Random(12)
    graphs = []
    for _ in range(count):
        nodes = [f"n{i}" for i in range(rng.randint(1, 9))]
        rng.shuffle(nodes)
        edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 14))]
        graphs.append((nodes[: rng.randint(0, len(nodes))], edges))
    return graphs


@pytest.mark.parametrize(("nodes", "edges"), _random_graphs(300))
def test_the_cycle_and_the_ancestors_are_those_networkx_finds(nodes, edges) -> None:
    ours, theirs = DependencyGraph(nodes), nx.DiGraph()
    theirs.add_nodes_from(nodes)
    for before, after in edges:
        ours.add_edge(before, after)
        theirs.add_edge(before, after)
    try:
        expected = nx.find_cycle(theirs)
    except nx.NetworkXNoCycle:
        expected = None
    assert ours.find_cycle() == expected
    for node in theirs:
        assert ours.ancestors(node) == nx.ancestors(theirs, node)


def test_a_graph_without_edges_has_no_cycle_and_a_self_dependency_is_one() -> None:
    graph = DependencyGraph(["a", "b"])
    assert graph.find_cycle() is None
    graph.add_edge("b", "b")
    assert graph.find_cycle() == [("b", "b")]
