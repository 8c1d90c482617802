"""What the register tells, read from the database: the analysis, the exports (CSV, GraphML, GEXF) and the
pictures (stakeholder map, Mendelow grid)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import InvalidInput, Message
from gouvernance.spec.schema import ProcessModel
from gouvernance.stakeholders.analysis.classification import threshold_of
from gouvernance.stakeholders.analysis.graph import build_graph
from gouvernance.stakeholders.analysis.overview import analyse as analyse_map
from gouvernance.stakeholders.analysis.results import Analysis
from gouvernance.stakeholders.common import engagement_of
from gouvernance.stakeholders.exports import stakeholders_csv, stakeholders_gexf, stakeholders_graphml
from gouvernance.stakeholders.guards import coverage_requirements
from gouvernance.stakeholders.pictures.grid import power_interest_grid_svg
from gouvernance.stakeholders.pictures.map import stakeholder_map_svg
from gouvernance.stakeholders.register import Register, load_register
from gouvernance.stakeholders.vocabulary import normalize

EXPORT_FORMATS = ("csv", "graphml", "gexf")
_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


def model_of(session: Session, engagement_id: str) -> ProcessModel:
    """The process model the engagement was launched from (its stored snapshot)."""
    return engagement_of(session, engagement_id)[1]


def analyse(session: Session, engagement_id: str) -> Analysis:
    """Every analysis of the register, with the consultation coverage of each stage measured against what
    the engagement's model requires (``guards.coverage_requirements``)."""
    engagement, model = engagement_of(session, engagement_id)
    register = load_register(session, engagement_id)
    graph = build_graph(
        register.stakeholders, register.relations, threshold=threshold_of(engagement.parameters)
    )
    return _analysis(graph, register, model)


def _analysis(graph: nx.MultiDiGraph, register: Register, model: ProcessModel) -> Analysis:
    return analyse_map(graph, register.consultations, coverage_requirements(model))


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def export(
    session: Session,
    *,
    engagement_id: str,
    fmt: str,
    actor: ActorRef,
    clock: Clock,
    include_contacts: bool = False,
    lang: str = "fr",
) -> ExportFile:
    """The register as CSV (``;``, French headers, re-importable), GraphML or GEXF (with the analysis:
    communities and betweenness). Contact details only with ``include_contacts``, which is logged."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            Message(
                "stakeholders.export_format",
                f"Format d'export inconnu « {fmt} » (possibles : {', '.join(EXPORT_FORMATS)})",
                f"Unknown export format '{fmt}' (possible: {', '.join(EXPORT_FORMATS)})",
                "format",
            )
        )
    engagement, model = engagement_of(session, engagement_id)
    threshold = threshold_of(engagement.parameters)
    register = load_register(session, engagement_id, with_contacts=include_contacts)
    if fmt == "csv":
        content = stakeholders_csv(
            register.stakeholders, include_contacts=include_contacts, lang=lang, threshold=threshold
        ).encode()
    else:
        # One read of the register, one graph: the analysis and the file are made from the same map.
        graph = build_graph(register.stakeholders, register.relations, threshold=threshold)
        write = stakeholders_graphml if fmt == "graphml" else stakeholders_gexf
        content = write(
            register.stakeholders,
            register.relations,
            graph=graph,
            include_contacts=include_contacts,
            analysis=_analysis(graph, register, model),
            lang=lang,
        )
    if include_contacts:
        log_change(
            session,
            engagement_id,
            "stakeholder_contacts_exported",
            {"format": fmt, "stakeholders": len(register.stakeholders)},
            actor,
            clock,
        )
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(engagement.territory_name)).strip("-") or "territoire"
    suffix = "-avec-coordonnees" if include_contacts else ""
    return ExportFile(content, _MEDIA_TYPES[fmt], f"parties-prenantes-{slug}{suffix}.{fmt}")


@dataclass(frozen=True)
class Pictures:
    stakeholder_map_svg: str
    power_interest_svg: str


def pictures(
    session: Session, engagement_id: str, *, lang: str = "fr", register: Register | None = None
) -> Pictures:
    """The stakeholder map (coloured by category, sized by power, with a legend) and the Mendelow grid."""
    engagement, _ = engagement_of(session, engagement_id)
    if register is None:
        register = load_register(session, engagement_id)
    threshold = threshold_of(engagement.parameters)
    graph = build_graph(register.stakeholders, register.relations, threshold=threshold)
    return Pictures(
        stakeholder_map_svg(graph, lang=lang),
        power_interest_grid_svg(register.stakeholders, lang=lang, threshold=threshold),
    )
