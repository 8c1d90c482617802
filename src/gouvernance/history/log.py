"""Appending to the event log, and the outbox row that goes with each event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from gouvernance.history.records import EventRow, OutboxRow

if TYPE_CHECKING:
    from gouvernance.engagements.records import StepRow


def append_event(
    session: Session,
    *,
    engagement_id: str,
    step: StepRow | None,
    event: str,
    from_state: str | None,
    to_state: str | None,
    actor: str,
    actor_role: str | None,
    at: datetime,
    comment: str | None,
    payload: dict[str, Any],
    version: int | None,
    topic: str | None = None,
    extra_outbox: dict[str, Any] | None = None,
) -> int:
    """Insert one event and, when ``topic`` is given, the outbox row its side effects are read from.
    Returns the event id. Plain INSERTs rather than ORM objects: this is on every transition's path, and
    events are never updated, so the unit of work has nothing to track."""
    step_key = step.step_key if step else None
    event_id: int = session.execute(
        _INSERT_EVENT,
        {
            "engagement_id": engagement_id,
            "step_id": step.id if step else None,
            "step_key": step_key,
            "event": event,
            "from_state": from_state,
            "to_state": to_state,
            "actor": actor,
            "actor_role": actor_role,
            "occurred_at": at,
            "comment": comment,
            "payload": payload,
            "version": version,
        },
    ).scalar_one()
    if topic is not None:
        session.execute(
            _INSERT_OUTBOX,
            {
                "event_id": event_id,
                "engagement_id": engagement_id,
                "topic": topic,
                "payload": {
                    "engagement_id": engagement_id,
                    "step_key": step_key,
                    "event": event,
                    "from_state": from_state,
                    "to_state": to_state,
                    "actor": actor,
                    **(extra_outbox or {}),
                },
                "status": "pending",
                "attempts": 0,
                "created_at": at,
            },
        )
    return event_id


_EVENTS = cast(Table, EventRow.__table__)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_INSERT_OUTBOX = insert(cast(Table, OutboxRow.__table__))


@sa_event.listens_for(EventRow, "before_update")
def _events_are_immutable(*_args: Any) -> None:
    # The database refuses too (triggers in the first migration); this catches it before the round trip.
    raise RuntimeError("events are append-only")


@sa_event.listens_for(EventRow, "before_delete")
def _events_are_never_deleted(*_args: Any) -> None:
    raise RuntimeError("events are append-only")
