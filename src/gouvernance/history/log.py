"""Appending to the event log, and the outbox row that goes with each event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Insert, Table, bindparam, insert, literal, select
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
    event_row = {
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
    }
    if topic is None:
        return int(session.execute(_INSERT_EVENT, event_row).scalar_one())
    outbox_payload = {
        "engagement_id": engagement_id,
        "step_key": step_key,
        "event": event,
        "from_state": from_state,
        "to_state": to_state,
        "actor": actor,
        **(extra_outbox or {}),
    }
    if session.get_bind().dialect.name == "postgresql":
        # Both rows in one statement, so one round trip to the server instead of two.
        return int(
            session.execute(
                _INSERT_EVENT_AND_OUTBOX,
                {**event_row, "outbox_topic": topic, "outbox_payload": outbox_payload},
            ).scalar_one()
        )
    event_id = int(session.execute(_INSERT_EVENT, event_row).scalar_one())
    session.execute(
        _INSERT_OUTBOX,
        {
            "event_id": event_id,
            "engagement_id": engagement_id,
            "topic": topic,
            "payload": outbox_payload,
            "status": "pending",
            "attempts": 0,
            "created_at": at,
        },
    )
    return event_id


_EVENTS = cast(Table, EventRow.__table__)
_OUTBOX = cast(Table, OutboxRow.__table__)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_INSERT_OUTBOX = insert(_OUTBOX)


def _insert_event_and_outbox() -> Insert:
    """PostgreSQL: WITH new_event AS (INSERT INTO events … RETURNING id) INSERT INTO outbox … SELECT id …
    (SQLite has no INSERT inside WITH)."""
    columns = [c.name for c in _EVENTS.columns if c.name != "id"]
    new_event = (
        insert(_EVENTS)
        .values({name: bindparam(name) for name in columns})
        .returning(_EVENTS.c.id)
        .cte("new_event")
    )
    outbox = select(
        new_event.c.id,
        bindparam("engagement_id", type_=_OUTBOX.c.engagement_id.type),
        bindparam("outbox_topic", type_=_OUTBOX.c.topic.type),
        bindparam("outbox_payload", type_=_OUTBOX.c.payload.type),
        literal("pending", _OUTBOX.c.status.type),
        literal(0, _OUTBOX.c.attempts.type),
        bindparam("occurred_at", type_=_OUTBOX.c.created_at.type),
    )
    names = ["event_id", "engagement_id", "topic", "payload", "status", "attempts", "created_at"]
    return insert(_OUTBOX).from_select(names, outbox).returning(_OUTBOX.c.event_id)


_INSERT_EVENT_AND_OUTBOX = _insert_event_and_outbox()


@sa_event.listens_for(EventRow, "before_update")
def _events_are_immutable(*_args: Any) -> None:
    # The database refuses too (triggers in the first migration); this catches it before the round trip.
    raise RuntimeError("events are append-only")


@sa_event.listens_for(EventRow, "before_delete")
def _events_are_never_deleted(*_args: Any) -> None:
    raise RuntimeError("events are append-only")
