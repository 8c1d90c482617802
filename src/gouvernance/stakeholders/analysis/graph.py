"""The stakeholder map as a graph (``build_graph``) and the cooperation network the structural analyses
read (``prepare``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from gouvernance.errors import InvalidInput, Message
from gouvernance.messages import plural
from gouvernance.stakeholders.analysis.classification import HIGH_SCORE_THRESHOLD, mendelow_quadrant
from gouvernance.stakeholders.analysis.results import Party
from gouvernance.stakeholders.records import RelationData, StakeholderData
from gouvernance.stakeholders.vocabulary import SALIENCE_CLASS_BY_ATTRIBUTES, RelationType

MAX_REASONS = 100  # a refusal lists at most this many problems, with the total in the details

_CONFLICT = RelationType.conflit


def build_graph(
    stakeholders: Iterable[StakeholderData],
    relations: Iterable[RelationData],
    *,
    threshold: float = HIGH_SCORE_THRESHOLD,
) -> nx.MultiDiGraph:
    """The stakeholder map. Node attributes: the stakeholder's fields (never its contact details) plus
    ``quadrant`` (high from ``threshold``, kept as the graph's ``high_score_threshold``) and
    ``salience_class``. Edge key and ``type``: the relation type; ``weight``; ``start``.

    Refuses, listing every problem: a repeated stakeholder id, a relation to an unknown stakeholder, the same
    relation twice (for partenaire and conflit, A–B and B–A are the same relation)."""
    graph = nx.MultiDiGraph(high_score_threshold=threshold)
    problems: list[Message] = []
    for stakeholder in stakeholders:
        if stakeholder.id in graph:
            problems.append(
                Message(
                    "stakeholders.duplicate_id",
                    f"L'identifiant « {stakeholder.id} » est utilisé deux fois.",
                    f"The identifier '{stakeholder.id}' is used twice.",
                    f"stakeholders.{stakeholder.id}",
                )
            )
            continue
        graph.add_node(stakeholder.id, **_node_attributes(stakeholder, threshold))
    known = set(graph)
    seen: set[tuple[str, str, RelationType]] = set()
    edges = []
    for relation in relations:
        identity = relation.identity
        if relation.source not in known or relation.target not in known or identity in seen:
            problems.append(_relation_problem(known, relation))
            continue
        seen.add(identity)
        edges.append(relation)
    if problems:
        raise InvalidInput(
            Message(
                "stakeholders.invalid_map",
                f"La cartographie est refusée : {plural(len(problems), 'problème')}.",
                f"The stakeholder map is refused: {len(problems)} problem(s).",
                details={"count": len(problems)},
            ),
            reasons=problems[:MAX_REASONS],
        )
    add_edge = graph.add_edge
    for relation in edges:
        add_edge(
            relation.source,
            relation.target,
            relation.type,
            type=relation.type,
            weight=relation.weight,
            start=relation.start,
        )
    return graph


def _node_attributes(stakeholder: StakeholderData, threshold: float) -> dict[str, Any]:
    return {
        "name": stakeholder.name,
        "kind": stakeholder.kind,
        "category": stakeholder.category,
        "power": stakeholder.power,
        "interest": stakeholder.interest,
        "attitude": stakeholder.attitude,
        "salience": stakeholder.salience,
        "target_level": stakeholder.target_level,
        "tags": stakeholder.tags,
        "quadrant": mendelow_quadrant(stakeholder.power, stakeholder.interest, threshold),
        "salience_class": SALIENCE_CLASS_BY_ATTRIBUTES[stakeholder.salience],
    }


def _relation_problem(known: set[str], relation: RelationData) -> Message:
    path = f"relations.{relation.source}.{relation.target}.{relation.type.value}"
    missing = [end for end in (relation.source, relation.target) if end not in known]
    if missing:
        names = ", ".join(missing)
        return Message(
            "stakeholders.unknown_stakeholder",
            f"La relation {relation.source} → {relation.target} cite une partie prenante inconnue : {names}.",
            f"The relation {relation.source} → {relation.target} names an unknown stakeholder: {names}.",
            path,
        )
    return Message(
        "stakeholders.duplicate_relation",
        f"La relation « {relation.type.fr} » entre {relation.source} et {relation.target} est en double.",
        f"The relation '{relation.type.en}' between {relation.source} and {relation.target} is repeated.",
        path,
    )


@dataclass(frozen=True, eq=False)
class Network:
    """The map prepared for the structural analyses (see the module docstring)."""

    graph: nx.MultiDiGraph
    cooperation: nx.Graph
    conflicts: dict[str, dict[str, float]]
    nodes: list[str]  # sorted: the order of ``cooperation`` and of the arrays below
    indptr: np.ndarray  # cooperation network as compressed sparse rows, for betweenness
    indices: np.ndarray

    def name(self, node: str) -> str:
        return str(self.graph.nodes[node]["name"])

    def party(self, node: str) -> Party:
        return Party(node, self.name(node))


def prepare(graph: nx.MultiDiGraph | Network) -> Network:
    """The cooperation network and the conflicts of a map built by ``build_graph`` (a prepared network is
    returned as it is). Prepare once when calling several analyses; ``analyse`` does."""
    if isinstance(graph, Network):
        return graph
    ties: defaultdict[tuple[str, str], float] = defaultdict(float)
    conflicts: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for source, target, key, weight in graph.edges(keys=True, data="weight"):
        if key == _CONFLICT:
            conflicts[source][target] = conflicts[target][source] = weight
        else:
            ties[(source, target) if source <= target else (target, source)] += weight
    nodes = sorted(graph)
    cooperation = nx.Graph()
    cooperation.add_nodes_from(nodes)
    pairs = sorted(ties)
    cooperation.add_weighted_edges_from((u, v, ties[(u, v)]) for u, v in pairs)
    indptr, indices = _compressed_rows(nodes, pairs)
    return Network(graph, cooperation, dict(conflicts), nodes, indptr, indices)


def _compressed_rows(nodes: list[str], pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    position = {node: index for index, node in enumerate(nodes)}
    ends = np.fromiter(
        (position[node] for pair in pairs for node in pair), dtype=np.int64, count=2 * len(pairs)
    )
    first, second = ends[0::2], ends[1::2]
    sources = np.concatenate([first, second])
    targets = np.concatenate([second, first])
    order = np.argsort(sources, kind="stable")
    counts = np.bincount(sources, minlength=len(nodes))
    indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, targets[order]
