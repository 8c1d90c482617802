"""The structural analyses of the cooperation network: brokers (betweenness), communities (Louvain),
isolated key players, conflicts and their possible mediators."""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np

from gouvernance.stakeholders.analysis.classification import is_key_player
from gouvernance.stakeholders.analysis.graph import Network, prepare
from gouvernance.stakeholders.analysis.results import (
    Betweenness,
    Broker,
    Community,
    ConflictPair,
    IsolatedKeyPlayer,
    Mediator,
)
from gouvernance.stakeholders.vocabulary import Category

SEED = 20_240_917
# Exact betweenness visits every node as a source; above this size a seeded sample of sources estimates it.
EXACT_BETWEENNESS_MAX_NODES = 2_000
BETWEENNESS_SAMPLES = 128
# Plain Louvain (networkx, pure Python) takes about 35 s on 500k ties; above this many ties, it starts from a
# label propagation partition instead (see ``_seeded_louvain``).
LOUVAIN_DIRECT_MAX_TIES = 200_000


def betweenness(
    graph: nx.MultiDiGraph | Network,
    *,
    seed: int = SEED,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    samples: int = BETWEENNESS_SAMPLES,
) -> Betweenness:
    """Normalised betweenness on the cooperation network (hops, not weights: a weak tie still links two
    groups). Exact up to ``exact_max_nodes`` nodes; above, estimated from ``samples`` source nodes drawn with
    ``seed``. Same values as ``networkx.betweenness_centrality(cooperation, k=samples, seed=seed)``, computed
    with numpy."""
    network = prepare(graph)
    count = len(network.nodes)
    if count <= exact_max_nodes or samples >= count:
        sources = list(range(count))
        exact = True
    else:
        chosen = set(random.Random(seed).sample(network.nodes, samples))
        sources = [index for index, node in enumerate(network.nodes) if node in chosen]
        exact = False
    totals = np.zeros(count)
    for source in sources:
        totals += _dependencies(network.indptr, network.indices, source)
    totals *= _scale(count, sources, exact)
    return Betweenness(dict(zip(network.nodes, totals.tolist(), strict=True)), exact, len(sources), seed)


def _dependencies(indptr: np.ndarray, indices: np.ndarray, source: int) -> np.ndarray:
    """Brandes' dependency of ``source`` on every node, one breadth-first level at a time."""
    size = len(indptr) - 1
    distance = np.full(size, -1, dtype=np.int64)
    paths = np.zeros(size)
    distance[source], paths[source] = 0, 1.0
    frontier = np.array([source])
    levels: list[tuple[np.ndarray, np.ndarray]] = []
    depth = 0
    while frontier.size:
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        tails = np.repeat(frontier, counts)
        heads = indices[np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)]
        fresh = heads[distance[heads] < 0]
        depth += 1
        distance[fresh] = depth
        on_path = distance[heads] == depth
        tails, heads = tails[on_path], heads[on_path]
        np.add.at(paths, heads, paths[tails])
        levels.append((tails, heads))
        frontier = np.unique(fresh)
    dependency = np.zeros(size)
    for tails, heads in reversed(levels):
        np.add.at(dependency, tails, paths[tails] / paths[heads] * (1.0 + dependency[heads]))
    dependency[source] = 0.0
    return dependency


def _scale(count: int, sources: list[int], exact: bool) -> np.ndarray | float:
    """networkx's normalisation (endpoints excluded): divide by the ordered pairs that could pass through a
    node; when sampling, a sampled node cannot be its own source."""
    if count <= 2:
        return 0.0
    pairs = count - 2
    if exact:
        return 1.0 / ((count - 1) * pairs)
    k = len(sources)
    scale = np.full(count, 1.0 / (k * pairs))
    scale[sources] = 1.0 / ((k - 1) * pairs) if k > 1 else 0.0
    return scale


def find_brokers(
    graph: nx.MultiDiGraph | Network,
    *,
    top: int = 10,
    centrality: Betweenness | None = None,
    communities: Sequence[Community] | None = None,
) -> list[Broker]:
    """The ``top`` stakeholders with the highest betweenness (zero excluded: they broker nothing)."""
    network = prepare(graph)
    scores = (centrality or betweenness(network)).scores
    community_of = community_index(communities)
    ranked = heapq.nsmallest(
        top,
        (node for node, score in scores.items() if score > 0),
        key=lambda node: (-scores[node], network.name(node), node),
    )
    brokers = []
    for node in ranked:
        linked = None
        if community_of is not None:
            linked = len({community_of.get(partner, partner) for partner in network.cooperation.adj[node]})
        brokers.append(Broker(network.party(node), scores[node], network.cooperation.degree(node), linked))
    return brokers


# --- Communities ------------------------------------------------------------------------------------------


def find_communities(graph: nx.MultiDiGraph | Network, *, seed: int = SEED) -> list[Community]:
    """Groups that work together, largest first (``community_algorithm`` says how they were found).
    Stakeholders alone in their group are left out: they are not a community."""
    network = prepare(graph)
    cooperation = _unit_scaled(network.cooperation)
    if cooperation.number_of_edges() > LOUVAIN_DIRECT_MAX_TIES:
        groups = _seeded_louvain(cooperation, seed)
    else:
        groups = nx.community.louvain_communities(cooperation, weight="weight", seed=seed)
    ordered = sorted(
        (sorted(group) for group in groups if len(group) > 1), key=lambda group: (-len(group), group[0])
    )
    nodes = network.graph.nodes
    return [
        Community(index, tuple(members), _category_counts(nodes[member]["category"] for member in members))
        for index, members in enumerate(ordered)
    ]


def _unit_scaled(cooperation: nx.Graph) -> nx.Graph:
    """``cooperation`` with its weights divided by the largest when Louvain could not use them as they are:
    modularity does not change with the scale, but its normaliser (one over the squared total degree)
    divides by zero when every weight is tiny, and overflows when they are huge."""
    weights = [weight for _, _, weight in cooperation.edges(data="weight")]
    degrees = 2 * math.fsum(weights)
    if not weights or 0 < degrees * degrees < math.inf:
        return cooperation
    largest = max(weights)
    scaled = nx.Graph()
    scaled.add_nodes_from(cooperation)
    scaled.add_weighted_edges_from(
        (u, v, weight / largest) for u, v, weight in cooperation.edges(data="weight")
    )
    return scaled


def community_algorithm(graph: nx.MultiDiGraph | Network, seed: int = SEED) -> dict[str, Any]:
    """How ``find_communities`` proceeds on this map: plain seeded Louvain, or, above
    ``LOUVAIN_DIRECT_MAX_TIES`` cooperation ties, Louvain seeded with label propagation."""
    network = prepare(graph)
    seeded = network.cooperation.number_of_edges() > LOUVAIN_DIRECT_MAX_TIES
    algorithm = "label_propagation+louvain" if seeded else "louvain"
    return {"algorithm": algorithm, "seed": seed, "weight": "weight"}


def _seeded_louvain(cooperation: nx.Graph, seed: int) -> list[set[str]]:
    """Louvain started from a fast label propagation partition instead of from singletons: the blocks found
    by label propagation become the nodes of a weighted graph (ties inside a block become self-loops, as in
    Louvain's own aggregation), and Louvain groups the blocks. On the benchmark map (100k stakeholders,
    500k relations) it takes 12 s instead of 34 s, for the same modularity (0.83)."""
    blocks = sorted(
        (
            sorted(block)
            for block in nx.community.fast_label_propagation_communities(
                cooperation, weight="weight", seed=seed
            )
        ),
        key=lambda block: block[0],
    )
    block_of = {node: index for index, block in enumerate(blocks) for node in block}
    ties: defaultdict[tuple[int, int], float] = defaultdict(float)
    for source, target, weight in cooperation.edges(data="weight"):
        first, second = sorted((block_of[source], block_of[target]))
        ties[(first, second)] += weight
    coarse = nx.Graph()
    coarse.add_nodes_from(range(len(blocks)))
    coarse.add_weighted_edges_from(
        (first, second, weight) for (first, second), weight in sorted(ties.items())
    )
    merged = nx.community.louvain_communities(coarse, weight="weight", seed=seed)
    return [{node for index in group for node in blocks[index]} for group in merged]


def _category_counts(categories: Iterable[Category]) -> dict[Category, int]:
    counts = Counter(categories)
    return {category: counts[category] for category in Category if counts[category]}


def community_index(communities: Sequence[Community] | None) -> dict[str, int] | None:
    if communities is None:
        return None
    return {member: community.index for community in communities for member in community.members}


# --- Key players, conflicts -------------------------------------------------------------------------------


def isolated_key_players(graph: nx.MultiDiGraph | Network) -> list[IsolatedKeyPlayer]:
    """Key players (``is_key_player``) with no relation other than conflicts: nobody relays them."""
    network = prepare(graph)
    found = []
    for node, data in network.graph.nodes(data=True):
        if is_key_player(data["quadrant"], data["salience_class"]) and not network.cooperation.degree(node):
            conflicts = len(network.conflicts.get(node, ()))
            found.append(
                IsolatedKeyPlayer(network.party(node), data["quadrant"], data["salience_class"], conflicts)
            )
    power = network.graph.nodes
    return sorted(
        found, key=lambda player: (-power[player.party.id]["power"], player.party.name, player.party.id)
    )


def conflict_pairs(graph: nx.MultiDiGraph | Network, *, max_mediators: int = 5) -> list[ConflictPair]:
    """Every conflict, strongest first, with the stakeholders who could mediate it: a relation other than
    conflict with both sides and no conflict with either, ranked by the weight of their ties to both."""
    network = prepare(graph)
    pairs = []
    for first, opponents in network.conflicts.items():
        for second, weight in opponents.items():
            if first < second:
                mediators = _mediators(network, first, second)
                pairs.append(
                    ConflictPair(
                        network.party(first),
                        network.party(second),
                        weight,
                        tuple(mediators[:max_mediators]),
                        len(mediators),
                    )
                )
    return sorted(
        pairs,
        key=lambda pair: (-pair.weight, pair.first.name, pair.second.name, pair.first.id, pair.second.id),
    )


def _mediators(network: Network, first: str, second: str) -> list[Mediator]:
    ties_first, ties_second = network.cooperation.adj[first], network.cooperation.adj[second]
    if len(ties_first) > len(ties_second):
        first, second, ties_first, ties_second = second, first, ties_second, ties_first
        swapped = True
    else:
        swapped = False
    no_conflict = network.conflicts.get(first, {}).keys() | network.conflicts.get(second, {}).keys()
    found = []
    for node, tie in ties_first.items():
        if node == second or node not in ties_second or node in no_conflict:
            continue
        weights = (tie["weight"], ties_second[node]["weight"])
        if swapped:
            weights = weights[::-1]
        found.append(Mediator(network.party(node), weights[0] + weights[1], *weights))
    return sorted(
        found,
        key=lambda mediator: (
            -mediator.score,
            -min(mediator.weight_to_first, mediator.weight_to_second),
            mediator.party.name,
            mediator.party.id,
        ),
    )
