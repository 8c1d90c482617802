"""Consultation coverage per stage: which required categories and key players each stage has consulted."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import networkx as nx

from gouvernance.errors import InvalidInput, Message
from gouvernance.stakeholders.analysis.graph import MAX_REASONS, Network, prepare
from gouvernance.stakeholders.analysis.results import StageCoverage
from gouvernance.stakeholders.records import ConsultationData, StageRequirement
from gouvernance.stakeholders.vocabulary import Category, Quadrant, french_sort_key


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
            network.party(node)
            for node in sorted(consulted, key=lambda node: (french_sort_key(network.name(node)), node))
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
