"""What the background work produces, as the API shows it: the caller's notifications, the deliverables of
an engagement (listed, downloaded, rebuilt on demand) and calendars of due dates (ICS)."""

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES, visible_engagements
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, MeAccess, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.calendars.ics import engagement_entries, render
from gouvernance.deliverables.production import deliverables_of, render_on_demand, store_rendered
from gouvernance.deliverables.records import DeliverableRow
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Message, NotFound
from gouvernance.notifications.inbox import inbox, mark_read

READ_DELIVERABLES = Permission("deliverables.read", Scope.ENGAGEMENT)
BUILD_DELIVERABLES = Permission("deliverables.build", Scope.ENGAGEMENT, LEAD_ROLES)
READ_CALENDAR = Permission("calendar.read", Scope.ENGAGEMENT, feed=True)
READ_MY_CALENDAR = Permission("me.calendar.read", Scope.AUTHENTICATED, feed=True)
DeliverablesAccess = Annotated[Access, Depends(requires(READ_DELIVERABLES))]
BuildAccess = Annotated[Access, Depends(requires(BUILD_DELIVERABLES))]
CalendarAccess = Annotated[Access, Depends(requires(READ_CALENDAR))]
MyCalendarAccess = Annotated[Access, Depends(requires(READ_MY_CALENDAR))]

router = APIRouter(tags=["Livrables, notifications, calendriers"])
_ICS = {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "Calendrier iCalendar."}


class NotificationOut(BaseModel):
    id: int = Field(description="Identifiant de la notification pour vous (à marquer comme lue).")
    kind: str = Field(description="reminder, overdue, escalation, event ou digest")
    subject: str
    body: str
    engagement_id: str | None
    created_at: datetime
    read: bool
    data: dict[str, Any]


class DeliverableOut(BaseModel):
    id: int
    key: str
    title: str
    format: str
    version: int
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    created_at: datetime
    download: str


class BuildIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"keys": ["plan_action"]}]})
    keys: list[SafeText] | None = Field(
        default=None, max_length=50, description="Livrables à produire (tous sinon)."
    )


@router.get("/me/notifications", summary="Mes notifications dans l'application (les plus récentes d'abord)")
def my_notifications(
    access: MeAccess,
    context: ContextDep,
    unread: Annotated[bool, Query(description="Seulement les non lues.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**53, description="Page suivante : avant cet id.")] = None,
) -> list[NotificationOut]:
    with context.db.reading() as session:
        found = inbox(session, access.user.login, unread_only=unread, limit=limit, before_id=before)
    return [
        NotificationOut(
            id=d.id,
            kind=n.kind,
            subject=n.subject,
            body=n.body,
            engagement_id=n.engagement_id,
            created_at=n.created_at,
            read=d.read_at is not None,
            data=n.data,
        )
        for d, n in found
    ]


@router.post(
    "/me/notifications/{notification_id}/read",
    status_code=204,
    summary="Marquer comme lue",
    responses=errors(404),
)
def read_notification(
    notification_id: Annotated[int, Path(ge=1, le=2**53)],
    access: MeAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        mark_read(session, access.user.login, notification_id, now=context.clock.now())
        return Response(status_code=204)

    return writes.run(access.user.login, {"read": notification_id}, work)


def _deliverable_out(engagement_id: str, row: DeliverableRow) -> DeliverableOut:
    return DeliverableOut(
        id=row.id,
        key=row.key,
        title=row.title,
        format=row.format,
        version=row.version,
        filename=row.filename,
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        created_at=row.created_at,
        download=f"/engagements/{engagement_id}/deliverables/{row.id}",
    )


@router.get(
    "/engagements/{engagement_id}/deliverables",
    summary="Les livrables produits, toutes versions",
    responses=errors(404),
)
def list_deliverables(
    engagement_id: EngagementIdPath, access: DeliverablesAccess, context: ContextDep
) -> list[DeliverableOut]:
    with context.db.reading() as session:
        return [_deliverable_out(engagement_id, row) for row in deliverables_of(session, engagement_id)]


@router.get(
    "/engagements/{engagement_id}/deliverables/{deliverable_id}",
    summary="Télécharger un livrable",
    response_class=Response,
    responses={200: {"description": "Le fichier (HTML, PDF ou DOCX)."}, **errors(404)},
)
def download_deliverable(
    engagement_id: EngagementIdPath,
    deliverable_id: Annotated[int, Path(ge=1, le=2**53)],
    access: DeliverablesAccess,
    context: ContextDep,
) -> Response:
    with context.db.reading() as session:
        row = session.get(DeliverableRow, deliverable_id)
    if row is None or row.engagement_id != engagement_id:
        raise NotFound(Message("deliverable.not_found", "Livrable introuvable", "Deliverable not found"))
    return Response(
        context.store.get(row.sha256),
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "ETag": f'"{row.sha256}"',
        },
    )


@router.post(
    "/engagements/{engagement_id}/deliverables",
    status_code=201,
    summary="Reproduire des livrables maintenant (nouvelle version de chacun)",
    responses={201: {"description": "Produits."}, **errors(404, 422)},
)
def rebuild_deliverables(
    engagement_id: EngagementIdPath,
    body: BuildIn,
    access: BuildAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    # Rendering happens before the write transaction (a PDF takes a fraction of a second); the new versions
    # and the idempotency record are then written together, so a replay writes nothing.
    rendered = render_on_demand(
        context.db, engagement_id, renderer=DocumentRenderer(), clock=context.clock, keys=body.keys
    )

    def work(session: Session) -> Response:
        produced = store_rendered(session, engagement_id, rendered, store=context.store, clock=context.clock)
        wanted = {(p.key, p.format, p.version) for p in produced}
        rows = [
            row
            for row in deliverables_of(session, engagement_id)
            if (row.key, row.format, row.version) in wanted
        ]
        return json_response([_deliverable_out(engagement_id, row) for row in rows], 201)

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.get(
    "/engagements/{engagement_id}/calendar.ics",
    summary="Échéances et jalons de l'accompagnement (ICS)",
    response_class=Response,
    responses={200: _ICS, **errors(404)},
)
def engagement_calendar(
    engagement_id: EngagementIdPath, access: CalendarAccess, context: ContextDep
) -> Response:
    with context.db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None  # the permission check found it
        text = render(
            f"Échéances — {engagement.territory_name}",
            engagement_entries(session, engagement, tz=context.clock.tz),
            now=context.clock.now(),
            tz=context.clock.tz,
        )
    return Response(text, media_type="text/calendar; charset=utf-8")


@router.get(
    "/me/calendar.ics",
    summary="Mes échéances, tous accompagnements confondus (ICS)",
    response_class=Response,
    responses={200: _ICS},
)
def my_calendar(access: MyCalendarAccess, context: ContextDep) -> Response:
    user = access.user
    with context.db.reading() as session:
        engagements = session.scalars(select(EngagementRow).where(visible_engagements(user))).all()
        entries = [
            entry
            for engagement in engagements
            for entry in engagement_entries(
                session,
                engagement,
                roles=user.roles_on(engagement.id, engagement.organisation_id),
                tz=context.clock.tz,
            )
        ]
    return Response(
        render(f"Mes échéances — {user.login}", entries, now=context.clock.now(), tz=context.clock.tz),
        media_type="text/calendar; charset=utf-8",
    )
