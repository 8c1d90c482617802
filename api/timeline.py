"""The timeline of an engagement: every event, oldest first, filterable by type, step and actor."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import EngagementIdPath, TimelineAccess
from gouvernance.history.timeline import event_label, timeline
from gouvernance.inputs import within_depth


class TimelineEvent(BaseModel):
    id: int
    occurred_at: datetime
    event: str
    label: str
    step_key: str | None
    from_state: str | None
    to_state: str | None
    actor: str
    actor_role: str | None
    comment: str | None
    version: int | None
    payload: dict[str, Any]


class TimelinePage(BaseModel):
    items: list[TimelineEvent]
    total: int
    limit: int
    offset: int


router = APIRouter(prefix="/engagements/{engagement_id}/timeline", tags=["Chronologie"])


@router.get("", summary="Chronologie des événements (paginée, filtrable)")
def get_timeline(
    engagement_id: EngagementIdPath,
    access: TimelineAccess,
    context: ContextDep,
    lang: LangDep,
    event_type: Annotated[
        list[SafeText] | None,
        Query(alias="type", description="Type(s) d'événement : submit, approve, evidence_attached…"),
    ] = None,
    step: Annotated[SafeText | None, Query(max_length=80, description="Clé d'étape.")] = None,
    actor: Annotated[SafeText | None, Query(max_length=120, description="Identifiant de l'auteur.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> TimelinePage:
    with context.db.reading() as session:
        rows, total = timeline(
            session,
            engagement_id,
            types=event_type or (),
            step_key=step,
            actor=actor,
            limit=limit,
            offset=offset,
        )
    items = [
        TimelineEvent(
            id=row.id,
            occurred_at=row.occurred_at,
            event=row.event,
            label=event_label(row.event, lang),
            step_key=row.step_key,
            from_state=row.from_state,
            to_state=row.to_state,
            actor=row.actor,
            actor_role=row.actor_role,
            comment=row.comment,
            version=row.version,
            payload=within_depth(row.payload or {}),
        )
        for row in rows
    ]
    return TimelinePage(items=items, total=total, limit=limit, offset=offset)
