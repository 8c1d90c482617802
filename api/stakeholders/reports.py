"""What the register tells over HTTP: exports (CSV, GraphML, GEXF), the NetworkX analysis and the pictures
(SVG). Contact details are only exported when asked for, to the engagement's leads, and that is logged."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.http import errors
from gouvernance.api.permissions import EngagementIdPath
from gouvernance.api.stakeholders.access import (
    ENGAGEMENT_PREFIX,
    TAGS,
    ReadAccess,
    check_personal_data,
)
from gouvernance.stakeholders import reports

router = APIRouter(prefix=ENGAGEMENT_PREFIX, tags=TAGS)

_SVG = {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "Image SVG."}


@router.get(
    "/stakeholders/export",
    summary="Exporter le registre : CSV, GraphML ou GEXF (Gephi)",
    responses={
        200: {
            "content": {"text/csv": {}, "application/graphml+xml": {}, "application/gexf+xml": {}},
            "description": "Le fichier.",
        },
        **errors(403, 404, 422),
    },
)
def export_stakeholders(
    engagement_id: EngagementIdPath,
    access: ReadAccess,
    context: ContextDep,
    lang: LangDep,
    format: Annotated[Literal["csv", "graphml", "gexf"], Query(description="Format du fichier.")] = "csv",
    with_contacts: Annotated[
        bool, Query(description="Inclure les coordonnées (données personnelles).")
    ] = False,
) -> Response:
    check_personal_data(access, with_contacts)
    with context.db.transaction() as session:  # exporting contacts is logged
        exported = reports.export(
            session,
            engagement_id=engagement_id,
            fmt=format,
            actor=access.actor,
            clock=context.clock,
            include_contacts=with_contacts,
            lang=lang,
        )
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.get(
    "/stakeholder-graph/analysis",
    summary="Analyse du réseau : Mendelow, Mitchell, intermédiaires, "
    "communautés, conflits et médiateurs, couverture des consultations",
)
def analysis(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep, lang: LangDep
) -> dict[str, Any]:
    with context.db.reading() as session:
        return reports.analyse(session, engagement_id).as_dict(lang)


@router.get(
    "/stakeholder-graph.svg",
    summary="Carte des parties prenantes (SVG)",
    response_class=Response,
    responses={200: _SVG, **errors(404)},
)
def stakeholder_map(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep, lang: LangDep
) -> Response:
    with context.db.reading() as session:
        svg = reports.pictures(session, engagement_id, lang=lang).stakeholder_map_svg
    return Response(svg, media_type="image/svg+xml")


@router.get(
    "/stakeholder-graph/power-interest.svg",
    summary="Matrice pouvoir / intérêt (SVG)",
    response_class=Response,
    responses={200: _SVG, **errors(404)},
)
def power_interest(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep, lang: LangDep
) -> Response:
    with context.db.reading() as session:
        svg = reports.pictures(session, engagement_id, lang=lang).power_interest_svg
    return Response(svg, media_type="image/svg+xml")
