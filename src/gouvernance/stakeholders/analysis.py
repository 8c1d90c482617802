"""What the stakeholder map tells: Mendelow quadrants, Mitchell salience, brokers, communities, isolated key
players, conflicts with their possible mediators, and consultation coverage per stage.

The map is a ``networkx.MultiDiGraph`` (``build_graph``): one node per stakeholder, one edge per relation,
keyed by relation type. Symmetric relations (partenaire, conflit) are stored once, in the order given.

Structural analyses (brokers, communities, mediators) read the *cooperation network*: every relation except
conflicts, undirected (a tie carries trust and information both ways), with the weights of all the ties
between two stakeholders added up. Conflicts are read separately. ``prepare`` builds both once; every function
accepts either the graph or the prepared ``Network``.

Everything is reproducible: nodes and edges are sorted before the seeded algorithms run, so the same map gives
the same answer whatever order the records came in.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx
import numpy as np

from gouvernance.errors import InvalidInput, Message
from gouvernance.stakeholders.records import (
    SCORE_MAX,
    SCORE_MIN,
    ConsultationData,
    RelationData,
    StageRequirement,
    StakeholderData,
)
from gouvernance.stakeholders.vocabulary import (
    SALIENCE_CLASS_BY_ATTRIBUTES,
    Attitude,
    Category,
    Quadrant,
    RelationType,
    SalienceAttribute,
    SalienceClass,
)

# Scores are 1 to 5, and 3 is the neutral middle of the scale: counting it as "high" would put three levels
# out of five in the top half and crowd « gérer étroitement » with middling stakeholders. High is 4 or 5
# (or, for averaged scores, 3.5 and above).
HIGH_SCORE_THRESHOLD = 3.5

SEED = 20_240_917
# Exact betweenness visits every node as a source; above this size a seeded sample of sources estimates it.
EXACT_BETWEENNESS_MAX_NODES = 2_000
BETWEENNESS_SAMPLES = 128
# Plain Louvain (networkx, pure Python) takes about 35 s on 500k ties; above this many ties, it starts from a
# label propagation partition instead (see ``_seeded_louvain``).
LOUVAIN_DIRECT_MAX_TIES = 200_000
MAX_REASONS = 100  # a refusal lists at most this many problems, with the total in the details

_CONFLICT = RelationType.conflit
T = TypeVar("T")


# --- Classifications --------------------------------------------------------------------------------------


def mendelow_quadrant(power: float, interest: float) -> Quadrant:
    """Mendelow's strategy for a stakeholder from power and interest (1 to 5; 4 and 5 count as high)."""
    for value, fr, en in ((power, "Pouvoir", "Power"), (interest, "Intérêt", "Interest")):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not SCORE_MIN <= value <= SCORE_MAX
        ):
            raise InvalidInput(
                Message(
                    "stakeholders.score_out_of_range",
                    f"{fr} : « {value} » doit être compris entre {SCORE_MIN} et {SCORE_MAX}.",
                    f"{en}: '{value}' must be between {SCORE_MIN} and {SCORE_MAX}.",
                    en.lower(),
                )
            )
    high_power, high_interest = power >= HIGH_SCORE_THRESHOLD, interest >= HIGH_SCORE_THRESHOLD
    if high_power:
        return Quadrant.gerer_etroitement if high_interest else Quadrant.satisfaire
    return Quadrant.informer if high_interest else Quadrant.surveiller


def mitchell_class(attributes: Iterable[SalienceAttribute | str]) -> SalienceClass:
    """Mitchell, Agle & Wood's class from the salience attributes held (pouvoir, légitimité, urgence)."""
    held: set[SalienceAttribute] = set()
    for value in attributes:
        try:
            held.add(SalienceAttribute(value))
        except ValueError:
            raise InvalidInput(
                Message(
                    "stakeholders.unknown_value",
                    f"Saillance : « {value} » n'est pas un attribut (pouvoir, légitimité, urgence).",
                    f"Salience: '{value}' is not an attribute (power, legitimacy, urgency).",
                    "salience",
                )
            ) from None
    return SALIENCE_CLASS_BY_ATTRIBUTES[frozenset(held)]


def is_key_player(quadrant: Quadrant, salience_class: SalienceClass) -> bool:
    """To be managed closely: high power and high interest, or all three salience attributes."""
    return quadrant is Quadrant.gerer_etroitement or salience_class is SalienceClass.definitive


# --- The graph --------------------------------------------------------------------------------------------


def build_graph(
    stakeholders: Iterable[StakeholderData], relations: Iterable[RelationData]
) -> nx.MultiDiGraph:
    """The stakeholder map. Node attributes: the stakeholder's fields (never its contact details) plus
    ``quadrant`` and ``salience_class``. Edge key and ``type``: the relation type; ``weight``; ``start``.

    Refuses, listing every problem: a repeated stakeholder id, a relation to an unknown stakeholder, the same
    relation twice (for partenaire and conflit, A–B and B–A are the same relation)."""
    graph = nx.MultiDiGraph()
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
        graph.add_node(stakeholder.id, **_node_attributes(stakeholder))
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
                f"La cartographie est refusée : {len(problems)} problème(s).",
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


def _node_attributes(stakeholder: StakeholderData) -> dict[str, Any]:
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
        "quadrant": mendelow_quadrant(stakeholder.power, stakeholder.interest),
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


# --- Results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    id: str
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Betweenness:
    """Normalised betweenness (0 to 1) on the cooperation network, exact or estimated from ``sources``
    sampled source nodes (``seed``)."""

    scores: dict[str, float]
    exact: bool
    sources: int
    seed: int

    def method(self) -> dict[str, Any]:
        return {"algorithm": "brandes", "exact": self.exact, "sources": self.sources, "seed": self.seed}


@dataclass(frozen=True)
class Community:
    index: int
    members: tuple[str, ...]  # ids, sorted
    categories: dict[Category, int]

    @property
    def size(self) -> int:
        return len(self.members)

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "index": self.index,
            "size": self.size,
            "members": list(self.members),
            "categories": {category.label(lang): count for category, count in self.categories.items()},
        }


@dataclass(frozen=True)
class Broker:
    """A go-between: lies on many shortest paths of the cooperation network."""

    party: Party
    score: float
    degree: int
    communities_linked: int | None  # distinct communities among its partners, when communities are known

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "score": self.score,
            "degree": self.degree,
            "communities_linked": self.communities_linked,
        }


@dataclass(frozen=True)
class IsolatedKeyPlayer:
    party: Party
    quadrant: Quadrant
    salience_class: SalienceClass
    conflicts: int  # conflict relations it does have

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "quadrant": self.quadrant.label(lang),
            "salience_class": self.salience_class.label(lang),
            "conflicts": self.conflicts,
        }


@dataclass(frozen=True)
class Mediator:
    party: Party
    score: float  # the weights of its ties to both sides, added up
    weight_to_first: float
    weight_to_second: float

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "score": self.score,
            "weight_to_first": self.weight_to_first,
            "weight_to_second": self.weight_to_second,
        }


@dataclass(frozen=True)
class ConflictPair:
    first: Party
    second: Party
    weight: float
    mediators: tuple[Mediator, ...]  # the best ones, best first
    mediator_count: int  # how many candidates there were in all

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "first": self.first.as_dict(),
            "second": self.second.as_dict(),
            "weight": self.weight,
            "mediators": [mediator.as_dict(lang) for mediator in self.mediators],
            "mediator_count": self.mediator_count,
        }


@dataclass(frozen=True)
class StageCoverage:
    stage_key: str
    consultation_ids: tuple[str, ...]
    consulted: tuple[Party, ...]
    required_categories: tuple[Category, ...]
    missing_categories: tuple[Category, ...]
    required_key_players: tuple[Party, ...]
    missing_key_players: tuple[Party, ...]

    @property
    def complete(self) -> bool:
        return not self.missing_categories and not self.missing_key_players

    @property
    def ratio(self) -> float:
        """Share of the requirements met (each category and each named key player counts once)."""
        required = len(self.required_categories) + len(self.required_key_players)
        missing = len(self.missing_categories) + len(self.missing_key_players)
        return 1.0 if required == 0 else (required - missing) / required

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "stage_key": self.stage_key,
            "complete": self.complete,
            "ratio": self.ratio,
            "consultation_ids": list(self.consultation_ids),
            "consulted": [party.as_dict() for party in self.consulted],
            "required_categories": [category.label(lang) for category in self.required_categories],
            "missing_categories": [category.label(lang) for category in self.missing_categories],
            "required_key_players": [party.as_dict() for party in self.required_key_players],
            "missing_key_players": [party.as_dict() for party in self.missing_key_players],
        }


@dataclass(frozen=True)
class Profile:
    party: Party
    quadrant: Quadrant
    salience_class: SalienceClass
    betweenness: float
    community: int | None

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "quadrant": self.quadrant.label(lang),
            "salience_class": self.salience_class.label(lang),
            "betweenness": self.betweenness,
            "community": self.community,
        }


@dataclass(frozen=True)
class Analysis:
    stakeholder_count: int
    relation_count: int
    counts: dict[str, Counter[Any]]  # by quadrant, category, salience_class, attitude
    profiles: tuple[Profile, ...]
    brokers: tuple[Broker, ...]
    communities: tuple[Community, ...]
    isolated_key_players: tuple[IsolatedKeyPlayer, ...]
    conflicts: tuple[ConflictPair, ...]
    coverage: tuple[StageCoverage, ...]
    method: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        """Plain JSON types only; labels in ``lang`` (ids stay codes)."""
        return {
            "stakeholder_count": self.stakeholder_count,
            "relation_count": self.relation_count,
            "counts": {
                name: {member.label(lang): count for member, count in counter.items()}
                for name, counter in self.counts.items()
            },
            "profiles": [profile.as_dict(lang) for profile in self.profiles],
            "brokers": [broker.as_dict(lang) for broker in self.brokers],
            "communities": [community.as_dict(lang) for community in self.communities],
            "isolated_key_players": [player.as_dict(lang) for player in self.isolated_key_players],
            "conflicts": [pair.as_dict(lang) for pair in self.conflicts],
            "coverage": [stage.as_dict(lang) for stage in self.coverage],
            "method": self.method,
        }


# --- Brokers ----------------------------------------------------------------------------------------------


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
    community_of = _community_index(communities)
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


def _community_index(communities: Sequence[Community] | None) -> dict[str, int] | None:
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


# --- Consultation coverage --------------------------------------------------------------------------------


def consultation_coverage(
    graph: nx.MultiDiGraph | Network,
    consultations: Iterable[ConsultationData],
    requirements: Iterable[StageRequirement] = (),
) -> list[StageCoverage]:
    """Per stage: who was consulted, what the requirement asks, and what is missing. Stages with a
    requirement come first, in the order given, then the other consulted stages by key. Consultations without
    a stage count for no stage."""
    network = prepare(graph)
    consultations = list(consultations)
    requirements = list(requirements)
    _check_coverage_input(network, consultations, requirements)
    by_stage: defaultdict[str, list[ConsultationData]] = defaultdict(list)
    for consultation in consultations:
        if consultation.stage_key is not None:
            by_stage[consultation.stage_key].append(consultation)
    required = {requirement.stage_key: requirement for requirement in requirements}
    stages = list(required) + sorted(set(by_stage) - set(required))
    in_quadrant: defaultdict[Quadrant, list[str]] = defaultdict(list)
    for node, quadrant in network.graph.nodes(data="quadrant"):
        in_quadrant[quadrant].append(node)
    coverage = []
    for stage in stages:
        requirement = required.get(stage, StageRequirement(stage))
        key_players = sorted(
            (node for quadrant in requirement.quadrants for node in in_quadrant[quadrant]),
            key=lambda node: (network.name(node), node),
        )
        coverage.append(_stage_coverage(network, stage, by_stage.get(stage, []), requirement, key_players))
    return coverage


def _stage_coverage(
    network: Network,
    stage: str,
    consultations: list[ConsultationData],
    requirement: StageRequirement,
    key_players: list[str],
) -> StageCoverage:
    nodes = network.graph.nodes
    consulted = set().union(*(consultation.stakeholder_ids for consultation in consultations))
    categories = tuple(category for category in Category if category in requirement.categories)
    heard = {nodes[node]["category"] for node in consulted}
    ordered = sorted(consultations, key=lambda consultation: (consultation.date, consultation.id))
    return StageCoverage(
        stage_key=stage,
        consultation_ids=tuple(consultation.id for consultation in ordered),
        consulted=tuple(
            network.party(node) for node in sorted(consulted, key=lambda node: (network.name(node), node))
        ),
        required_categories=categories,
        missing_categories=tuple(category for category in categories if category not in heard),
        required_key_players=tuple(network.party(node) for node in key_players),
        missing_key_players=tuple(network.party(node) for node in key_players if node not in consulted),
    )


def _check_coverage_input(
    network: Network, consultations: list[ConsultationData], requirements: list[StageRequirement]
) -> None:
    problems = []
    for consultation in consultations:
        unknown = sorted(node for node in consultation.stakeholder_ids if node not in network.graph)
        if unknown:
            names = ", ".join(unknown)
            problems.append(
                Message(
                    "stakeholders.unknown_stakeholder",
                    f"La consultation « {consultation.id} » cite une partie prenante inconnue : {names}.",
                    f"The consultation '{consultation.id}' names an unknown stakeholder: {names}.",
                    f"consultations.{consultation.id}",
                )
            )
    counts = Counter(requirement.stage_key for requirement in requirements)
    for stage in sorted(stage for stage, count in counts.items() if count > 1):
        problems.append(
            Message(
                "stakeholders.duplicate_requirement",
                f"L'étape « {stage} » a plusieurs exigences de consultation.",
                f"The stage '{stage}' has more than one consultation requirement.",
                f"requirements.{stage}",
            )
        )
    if problems:
        raise InvalidInput(
            Message(
                "stakeholders.invalid_coverage",
                "Couverture des consultations impossible à calculer.",
                "Consultation coverage cannot be computed.",
                details={"count": len(problems)},
            ),
            reasons=problems[:MAX_REASONS],
        )


# --- Everything at once -----------------------------------------------------------------------------------


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
            "high_score_threshold": HIGH_SCORE_THRESHOLD,
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
    community_of = _community_index(communities) or {}
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
