"""Every analysis of the map at once (``analyse``), timed step by step when asked."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import networkx as nx

from gouvernance.stakeholders.analysis.algorithms import (
    SEED,
    betweenness,
    community_algorithm,
    community_index,
    conflict_pairs,
    find_brokers,
    find_communities,
    isolated_key_players,
)
from gouvernance.stakeholders.analysis.classification import HIGH_SCORE_THRESHOLD
from gouvernance.stakeholders.analysis.coverage import consultation_coverage
from gouvernance.stakeholders.analysis.graph import Network, prepare
from gouvernance.stakeholders.analysis.results import Analysis, Betweenness, Community, Party, Profile
from gouvernance.stakeholders.records import ConsultationData, StageRequirement
from gouvernance.stakeholders.vocabulary import Attitude, Category, Quadrant, SalienceClass

T = TypeVar("T")


def analyse(
    graph: nx.MultiDiGraph | Network,
    consultations: Iterable[ConsultationData] = (),
    requirements: Iterable[StageRequirement] = (),
    *,
    top_brokers: int = 10,
    max_mediators: int = 5,
    seed: int = SEED,
    timings: dict[str, float] | None = None,
) -> Analysis:
    """Every analysis of the map at once. ``timings``, when given, receives the seconds spent in each step
    (for the benchmark and for logging slow analyses)."""
    step = _Steps(timings)
    network = step("prepare", prepare, graph)
    coverage = step("coverage", consultation_coverage, network, consultations, requirements)
    communities = step("communities", find_communities, network, seed=seed)
    centrality = step("betweenness", betweenness, network, seed=seed)
    brokers = step(
        "brokers", find_brokers, network, top=top_brokers, centrality=centrality, communities=communities
    )
    isolated = step("isolated_key_players", isolated_key_players, network)
    conflicts = step("conflicts", conflict_pairs, network, max_mediators=max_mediators)
    profiles = step("profiles", _profiles, network, centrality, communities)
    counts = step("counts", _counts, network)
    return Analysis(
        stakeholder_count=network.graph.number_of_nodes(),
        relation_count=network.graph.number_of_edges(),
        counts=counts,
        profiles=profiles,
        brokers=tuple(brokers),
        communities=tuple(communities),
        isolated_key_players=tuple(isolated),
        conflicts=tuple(conflicts),
        coverage=tuple(coverage),
        method={
            "betweenness": centrality.method(),
            "communities": community_algorithm(network, seed),
            "high_score_threshold": network.graph.graph.get("high_score_threshold", HIGH_SCORE_THRESHOLD),
        },
    )


class _Steps:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def __call__(self, name: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        started = time.perf_counter()
        result = function(*args, **kwargs)
        if self.timings is not None:
            self.timings[name] = time.perf_counter() - started
        return result


def _profiles(
    network: Network, centrality: Betweenness, communities: Sequence[Community]
) -> tuple[Profile, ...]:
    community_of = community_index(communities) or {}
    return tuple(
        Profile(
            Party(node, data["name"]),
            data["quadrant"],
            data["salience_class"],
            centrality.scores[node],
            community_of.get(node),
        )
        for node, data in network.graph.nodes(data=True)
    )


def _counts(network: Network) -> dict[str, Counter[Any]]:
    nodes = network.graph.nodes
    counts: dict[str, Counter[Any]] = {}
    for attribute, enum in (
        ("quadrant", Quadrant),
        ("category", Category),
        ("salience_class", SalienceClass),
        ("attitude", Attitude),
    ):
        found = Counter(value for _, value in nodes(data=attribute))
        counts[attribute] = Counter({member: found[member] for member in enum if found[member]})
    return counts
