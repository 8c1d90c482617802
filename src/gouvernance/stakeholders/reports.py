"""What the register tells, read from the database: the analysis, the exports (CSV, GraphML, GEXF) and the
pictures (stakeholder map, Mendelow grid)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
from sqlalchemy import func, select
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
from gouvernance.stakeholders.exports import (
    stakeholders_csv_chunks,
    stakeholders_gexf,
    stakeholders_graphml,
)
from gouvernance.stakeholders.guards import coverage_requirements
from gouvernance.stakeholders.pictures.grid import power_interest_grid_svg
from gouvernance.stakeholders.pictures.map import stakeholder_map_svg
from gouvernance.stakeholders.register import Register, load_register
from gouvernance.stakeholders.tables import StakeholderRow
from gouvernance.stakeholders.vocabulary import normalize

EXPORT_FORMATS = ("csv", "graphml", "gexf")
CHUNK_BYTES = 256 * 1024
_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


def model_of(session: Session, engagement_id: str) -> ProcessModel:
    """The process model the engagement was launched from (its stored snapshot)."""
    return engagement_of(session, engagement_id)[1]


def analyse(session: Session, engagement_id: str, *, register: Register | None = None) -> Analysis:
    """Every analysis of the register, with the consultation coverage of each stage measured against what
    the engagement's model requires (``guards.coverage_requirements``); ``register``: already read."""
    engagement, model = engagement_of(session, engagement_id)
    if register is None:
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


@dataclass(frozen=True)
class PreparedExport:
    """What an export is made of, read in one transaction (a snapshot of the register); the file itself is
    made afterwards, outside any transaction, by ``chunks``: a long export holds no lock a writer waits on."""

    fmt: str
    media_type: str
    filename: str
    register: Register
    model: ProcessModel
    include_contacts: bool
    lang: str
    threshold: float  # the engagement's Mendelow threshold

    def chunks(self) -> Iterator[bytes]:
        """The file in pieces of about ``CHUNK_BYTES``: the CSV row by row; a graph file once made whole
        (NetworkX writes the XML document in one go), then cut."""
        if self.fmt == "csv":
            yield from stakeholders_csv_chunks(
                self.register.stakeholders,
                include_contacts=self.include_contacts,
                lang=self.lang,
                threshold=self.threshold,
            )
            return
        # One read of the register, one graph: the analysis and the file are made from the same map.
        graph = build_graph(self.register.stakeholders, self.register.relations, threshold=self.threshold)
        write = stakeholders_graphml if self.fmt == "graphml" else stakeholders_gexf
        content = write(
            self.register.stakeholders,
            self.register.relations,
            graph=graph,
            include_contacts=self.include_contacts,
            analysis=_analysis(graph, self.register, self.model),
            lang=self.lang,
        )
        for start in range(0, len(content), CHUNK_BYTES):
            yield content[start : start + CHUNK_BYTES]

    def content(self) -> bytes:
        return b"".join(self.chunks())


def prepare_export(
    session: Session,
    *,
    engagement_id: str,
    fmt: str,
    include_contacts: bool = False,
    lang: str = "fr",
    max_graph_stakeholders: int | None = None,
) -> PreparedExport:
    """Reads what ``fmt`` needs of the register (only reads: call it in a read transaction). Contact details
    only with ``include_contacts``; whoever exports them logs it (``log_contacts_export``). A graph file of
    a register of more than ``max_graph_stakeholders`` is refused before the register is read."""
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
    if fmt != "csv" and max_graph_stakeholders is not None:
        _check_graph_size(session, engagement_id, fmt, max_graph_stakeholders)
    register = load_register(session, engagement_id, with_contacts=include_contacts)
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(engagement.territory_name)).strip("-") or "territoire"
    suffix = "-avec-coordonnees" if include_contacts else ""
    return PreparedExport(
        fmt,
        _MEDIA_TYPES[fmt],
        f"parties-prenantes-{slug}{suffix}.{fmt}",
        register,
        model,
        include_contacts,
        lang,
        threshold_of(engagement.parameters),
    )


def _check_graph_size(session: Session, engagement_id: str, fmt: str, limit: int) -> None:
    count = session.scalar(
        select(func.count()).select_from(StakeholderRow).where(StakeholderRow.engagement_id == engagement_id)
    )
    if count is not None and count > limit:
        raise InvalidInput(
            Message(
                "stakeholders.graph_export_too_large",
                f"Registre trop grand pour un export {fmt.upper()} : {count} parties prenantes, au plus "
                f"{limit} (GOUVERNANCE_MAX_GRAPH_EXPORT_STAKEHOLDERS). L'export CSV n'a pas de limite.",
                f"Register too large for a {fmt.upper()} export: {count} stakeholders, at most {limit} "
                "(GOUVERNANCE_MAX_GRAPH_EXPORT_STAKEHOLDERS). The CSV export has no limit.",
                "format",
                {"stakeholders": count, "limit": limit},
            )
        )


def log_contacts_export(
    session: Session, *, engagement_id: str, prepared: PreparedExport, actor: ActorRef, clock: Clock
) -> None:
    """The timeline event of an export with contact details (personal data): in a write transaction."""
    log_change(
        session,
        engagement_id,
        "stakeholder_contacts_exported",
        {"format": prepared.fmt, "stakeholders": len(prepared.register.stakeholders)},
        actor,
        clock,
    )


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
    communities and betweenness), in one transaction (a write one with ``include_contacts``, which is
    logged). The API reads with ``prepare_export`` and makes the file outside the transaction."""
    prepared = prepare_export(
        session, engagement_id=engagement_id, fmt=fmt, include_contacts=include_contacts, lang=lang
    )
    if include_contacts:
        log_contacts_export(session, engagement_id=engagement_id, prepared=prepared, actor=actor, clock=clock)
    return ExportFile(prepared.content(), prepared.media_type, prepared.filename)


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
