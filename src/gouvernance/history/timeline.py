"""Read model for an engagement's timeline: its events, oldest first, filtered and paginated."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gouvernance.history.records import EventRow


def _filtered(
    query: Select, engagement_id: str, types: Sequence[str], step_key: str | None, actor: str | None
) -> Select:
    query = query.where(EventRow.engagement_id == engagement_id)
    if types:
        query = query.where(EventRow.event.in_(list(types)))
    if step_key:
        query = query.where(EventRow.step_key == step_key)
    if actor:
        query = query.where(EventRow.actor == actor)
    return query


def timeline(
    session: Session,
    engagement_id: str,
    *,
    types: Sequence[str] = (),
    step_key: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[EventRow], int]:
    total = session.scalar(
        _filtered(select(func.count()).select_from(EventRow), engagement_id, types, step_key, actor)
    )
    rows = session.scalars(
        _filtered(select(EventRow), engagement_id, types, step_key, actor)
        .order_by(EventRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)
