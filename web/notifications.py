"""« Notifications »: the person's in-application notifications, newest first, a page at a time, each with its
engagement and a link to its step; one is marked read through the same inbox service as the API."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import NotFound
from gouvernance.notifications.inbox import inbox, mark_read
from gouvernance.notifications.records import DeliveryRow, NotificationRow
from gouvernance.web.session import (
    FORM_TOKEN_MISSING,
    VisitorDep,
    api_context,
    form_token_ok,
    problem_page,
    render,
)

router = APIRouter(include_in_schema=False)

PAGE = "/notifications"
PAGE_SIZE = 20
MAX_ID = 2**53
KIND_LABELS = {
    "reminder": "Rappel",
    "overdue": "Retard",
    "escalation": "Escalade",
    "event": "Nouveauté",
    "digest": "Récapitulatif",
}


def _link(notification: NotificationRow) -> str | None:
    if notification.engagement_id is None:
        return None
    step_key = notification.data.get("step_key")
    anchor = f"#etape-{step_key}" if isinstance(step_key, str) and step_key else ""
    return f"/accompagnements/{notification.engagement_id}{anchor}"


def _delivery_id(text: str) -> int | None:
    """The id a page starts before, or None (first page) when the address holds none that is valid."""
    if not (text.isascii() and text.isdigit() and len(text) <= 16):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def _page_address(before: int | None, unread_only: bool) -> str:
    query = [f"avant={before}"] if before else []
    if unread_only:
        query.append("non_lues=1")
    return PAGE + ("?" + "&".join(query) if query else "")


@router.get(PAGE)
def notifications_page(
    request: Request, visitor: VisitorDep, avant: str = "", non_lues: str = "", lue: str = ""
) -> HTMLResponse:
    context = api_context(request)
    before = _delivery_id(avant)
    unread_only = non_lues == "1"
    with context.db.reading() as session:
        found = inbox(
            session,
            visitor.principal.login,
            unread_only=unread_only,
            limit=PAGE_SIZE + 1,
            before_id=before,
        )
        shown = found[:PAGE_SIZE]
        ids = {n.engagement_id for _, n in shown if n.engagement_id}
        territories: dict[str, str] = {}
        if ids:
            territories = {
                engagement_id: name
                for engagement_id, name in session.execute(
                    select(EngagementRow.id, EngagementRow.territory_name).where(EngagementRow.id.in_(ids))
                )
            }
    return render(
        request,
        "notifications.html",
        {
            "page": "notifications",
            "notifications": [_line(delivery, notification, territories) for delivery, notification in shown],
            "non_lues": unread_only,
            "avant": before,
            "plus_anciennes": _page_address(shown[-1][0].id, unread_only) if len(found) > PAGE_SIZE else None,
            "adresse": _page_address(before, unread_only),
            "lue": lue == "1",
        },
        visitor=visitor,
    )


def _line(
    delivery: DeliveryRow, notification: NotificationRow, territories: dict[str, str]
) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "sujet": notification.subject,
        "genre": KIND_LABELS.get(notification.kind, notification.kind),
        "le": notification.created_at,
        "lue": delivery.read_at is not None,
        "accompagnement": territories.get(notification.engagement_id or ""),
        "lien": _link(notification),
    }


@router.post(PAGE + "/{delivery_id}/lue")
def mark_read_action(
    request: Request,
    delivery_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    visitor: VisitorDep,
    jeton_formulaire: Annotated[str | None, Form(max_length=200)] = None,
    retour: Annotated[str, Form(max_length=200)] = PAGE,
) -> Response:
    if not form_token_ok(visitor, jeton_formulaire):
        return problem_page(request, visitor, 403, FORM_TOKEN_MISSING)
    context = api_context(request)
    try:
        with context.write_lock, context.db.transaction() as session:
            mark_read(session, visitor.principal.login, delivery_id, now=context.clock.now())
    except NotFound as error:
        return problem_page(request, visitor, error.status, error.message)
    back = retour if retour.startswith(PAGE) and "//" not in retour else PAGE
    return RedirectResponse(back + ("&" if "?" in back else "?") + "lue=1", status_code=303)
