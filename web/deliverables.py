"""« Livrables » of an engagement: every version produced (deliverable, format, version, date), each to
download, and a rebuild through the same production service as the API's ``POST …/deliverables``."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gouvernance.api.background import BUILD_DELIVERABLES, READ_DELIVERABLES
from gouvernance.deliverables.production import deliverables_of, render_on_demand, store_rendered
from gouvernance.deliverables.records import DeliverableRow
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import DomainError, Forbidden, Message, NotFound
from gouvernance.web import submissions
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    VisitorDep,
    api_context,
    form_token_ok,
    problem_page,
    render,
    roles_on,
)

router = APIRouter(include_in_schema=False)

DELIVERABLE_NOT_FOUND = Message("deliverable.not_found", "Livrable introuvable.", "Deliverable not found.")


@router.get("/accompagnements/{engagement_id}/livrables")
def deliverables_page(
    request: Request, engagement_id: str, visitor: VisitorDep, produits: int = 0
) -> HTMLResponse:
    context = api_context(request)
    with context.db.reading() as session:
        try:
            roles = roles_on(session, visitor, engagement_id, READ_DELIVERABLES)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
        engagement = session.get(EngagementRow, engagement_id)
        rows = deliverables_of(session, engagement_id)
    return render(
        request,
        "livrables.html",
        {
            "engagement": engagement,
            "livrables": sorted(rows, key=lambda r: (r.title, r.format, -r.version)),
            "peut_produire": bool(roles & BUILD_DELIVERABLES.roles),
            "produits": produits,
        },
        visitor=visitor,
    )


@router.get("/accompagnements/{engagement_id}/livrables/{deliverable_id}")
def download(request: Request, engagement_id: str, deliverable_id: int, visitor: VisitorDep) -> Response:
    context = api_context(request)
    with context.db.reading() as session:
        try:
            roles_on(session, visitor, engagement_id, READ_DELIVERABLES)
        except (NotFound, Forbidden) as error:
            return problem_page(request, visitor, error.status, error.message)
        row = session.get(DeliverableRow, deliverable_id)
    if row is None or row.engagement_id != engagement_id:
        return problem_page(request, visitor, 404, DELIVERABLE_NOT_FOUND)
    return Response(
        context.store.get(row.sha256),
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/accompagnements/{engagement_id}/livrables")
def rebuild(
    request: Request,
    engagement_id: str,
    visitor: VisitorDep,
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
    soumission: Annotated[str | None, Form(max_length=submissions.MAX_LENGTH)] = None,
) -> Response:
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    try:
        with context.db.reading() as session:
            roles_on(session, visitor, engagement_id, BUILD_DELIVERABLES)
        rendered = render_on_demand(
            context.db, engagement_id, renderer=DocumentRenderer(), clock=context.clock
        )

        def store_them(session: Session) -> Response:
            produced = store_rendered(
                session, engagement_id, rendered, store=context.store, clock=context.clock
            )
            return RedirectResponse(
                f"/accompagnements/{engagement_id}/livrables?produits={len(produced)}", status_code=303
            )

        return submissions.once(request, visitor, soumission, store_them)
    except DomainError as error:
        return problem_page(request, visitor, error.status, error.message)
