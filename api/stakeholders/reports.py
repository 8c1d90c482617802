"""What the register tells over HTTP: exports (CSV, GraphML, GEXF), the NetworkX analysis and the pictures
(SVG). Contact details are only exported when asked for, to the engagement's leads, and that is logged.

The service (NetworkX, NumPy) is imported by the routes that use it, when first called: the API starts
without them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.http import errors
from gouvernance.api.permissions import EngagementIdPath
from gouvernance.api.stakeholders.access import (
    ENGAGEMENT_PREFIX,
    TAGS,
    ReadAccess,
    check_personal_data,
)

if TYPE_CHECKING:
    from gouvernance.stakeholders.reports import PreparedExport

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
async def export_stakeholders(
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

    def read() -> PreparedExport:
        from gouvernance.stakeholders import reports  # in the thread: its first import takes a while

        with context.db.reading() as session:  # a snapshot: writers are not kept waiting
            prepared = reports.prepare_export(
                session,
                engagement_id=engagement_id,
                fmt=format,
                include_contacts=with_contacts,
                lang=lang,
                max_graph_stakeholders=context.settings.max_graph_export_stakeholders,
            )
        if with_contacts:  # exporting contacts is logged
            with context.write_lock, context.db.transaction() as session:
                reports.log_contacts_export(
                    session,
                    engagement_id=engagement_id,
                    prepared=prepared,
                    actor=access.actor,
                    clock=context.clock,
                )
        return prepared

    limiter = context.export_limiter
    prepared = await to_thread.run_sync(read, limiter=limiter)
    return StreamingResponse(
        _made_in_thread(prepared.chunks(), limiter),
        media_type=prepared.media_type,
        headers={"Content-Disposition": f'attachment; filename="{prepared.filename}"'},
    )


async def _made_in_thread(chunks: Iterator[bytes], limiter: CapacityLimiter) -> AsyncIterator[bytes]:
    """Each piece made in a thread of ``limiter``: the event loop stays free while a large file is made."""
    while (chunk := await to_thread.run_sync(next, chunks, None, limiter=limiter)) is not None:
        yield chunk


@router.get(
    "/stakeholder-graph/analysis",
    summary="Analyse du réseau : Mendelow, Mitchell, intermédiaires, "
    "communautés, conflits et médiateurs, couverture des consultations",
)
def analysis(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep, lang: LangDep
) -> dict[str, Any]:
    from gouvernance.stakeholders import reports

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
    from gouvernance.stakeholders import reports

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
    from gouvernance.stakeholders import reports

    with context.db.reading() as session:
        svg = reports.pictures(session, engagement_id, lang=lang).power_interest_svg
    return Response(svg, media_type="image/svg+xml")
