"""Appending to the event log, and the outbox row that goes with each event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CTE, Insert, Table, Update, bindparam, insert, literal, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from gouvernance.audit import chain
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
    """Insert one event, chained in the engagement's audit chain, and, when ``topic`` is given, the outbox row
    its side effects are read from. Returns the event id. Plain INSERTs rather than ORM objects: this is on
    every transition's path, and events are never updated, so the unit of work has nothing to track."""
    event_row, outbox_payload = _rows(
        engagement_id=engagement_id,
        step=step,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        actor_role=actor_role,
        at=at,
        comment=comment,
        payload=payload,
        version=version,
        extra_outbox=extra_outbox,
    )
    if topic is None:
        event_id = int(session.execute(_INSERT_EVENT, event_row).scalar_one())
        chain.append(session, "event", {**event_row, "id": event_id}, at=at)
        return event_id
    if session.get_bind().dialect.name == "postgresql":
        # Both rows in one statement, with the event's chain entry when the transaction holds the head: one
        # round trip to the server instead of two or three.
        entry = chain.event_entry(session, event_row)
        statement = _combined(None, chained=entry is not None)
        parameters = {**event_row, "outbox_topic": topic, "outbox_payload": outbox_payload}
        if entry is not None:
            parameters.update(entry.parameters)
        event_id = int(session.execute(statement, parameters).scalar_one())
        chain.event_written(session, entry, event_row, event_id)
        return event_id
    event_id = int(session.execute(_INSERT_EVENT, event_row).scalar_one())
    chain.append(session, "event", {**event_row, "id": event_id}, at=at)
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


def update_and_append_event(
    session: Session,
    update: Update,
    update_values: dict[str, Any],
    *,
    topic: str,
    **event: Any,
) -> int | None:
    """PostgreSQL only: ``update`` (a versioned UPDATE of one row), the event and its outbox row in one
    statement, so one round trip where there were two. The event is written only if the UPDATE changed a
    row. ``event``: append_event's keyword arguments. Returns the event id, or None when the UPDATE changed
    nothing (and nothing was written)."""
    event_row, outbox_payload = _rows(**event)
    entry = chain.event_entry(session, event_row)
    statement = _combined(update, chained=entry is not None)
    values = {f"{_PREFIX}{name}": value for name, value in event_row.items()}
    values[f"{_PREFIX}outbox_topic"] = topic
    values[f"{_PREFIX}outbox_payload"] = outbox_payload
    if entry is not None:
        values.update(entry.parameters)
    found = session.execute(statement, {**update_values, **values}).first()
    if found is None:
        return None
    event_id = int(found[0])
    chain.event_written(session, entry, event_row, event_id)
    return event_id


def _rows(
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
    extra_outbox: dict[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The event row, and the payload of its outbox row."""
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
    outbox_payload = {
        "engagement_id": engagement_id,
        "step_key": step_key,
        "event": event,
        "from_state": from_state,
        "to_state": to_state,
        "actor": actor,
        **(extra_outbox or {}),
    }
    return event_row, outbox_payload


_EVENTS = cast(Table, EventRow.__table__)
_OUTBOX = cast(Table, OutboxRow.__table__)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_INSERT_OUTBOX = insert(_OUTBOX)


def _insert_event_and_outbox(
    after: Update | None = None, prefix: str = "", *, chained: bool = False
) -> Insert:
    """PostgreSQL: WITH new_event AS (INSERT INTO events … RETURNING id) INSERT INTO outbox … SELECT id …
    (SQLite has no INSERT inside WITH). With ``after``, WITH changed AS (UPDATE … RETURNING 1) comes first
    and the event is selected from it: no row changed, no event. ``prefix`` keeps the event's parameter
    names apart from the UPDATE's. ``chained``: the event's chain entry is inserted too (chain.entry_cte,
    its ``entry_*`` parameters from chain.event_entry)."""
    columns = [c.name for c in _EVENTS.columns if c.name != "id"]
    if after is None:
        new_event = (
            insert(_EVENTS)
            .values({name: bindparam(name) for name in columns})
            .returning(_EVENTS.c.id)
            .cte("new_event")
        )
    else:
        changed: CTE = after.returning(literal(1).label("changed")).cte("changed")
        event_values = select(
            *(bindparam(f"{prefix}{name}", type_=_EVENTS.c[name].type) for name in columns)
        ).select_from(changed)
        new_event = (
            insert(_EVENTS).from_select(columns, event_values).returning(_EVENTS.c.id).cte("new_event")
        )
    outbox = select(
        new_event.c.id,
        bindparam(f"{prefix}engagement_id", type_=_OUTBOX.c.engagement_id.type),
        bindparam(f"{prefix}outbox_topic", type_=_OUTBOX.c.topic.type),
        bindparam(f"{prefix}outbox_payload", type_=_OUTBOX.c.payload.type),
        literal("pending", _OUTBOX.c.status.type),
        literal(0, _OUTBOX.c.attempts.type),
        bindparam(f"{prefix}occurred_at", type_=_OUTBOX.c.created_at.type),
    )
    names = ["event_id", "engagement_id", "topic", "payload", "status", "attempts", "created_at"]
    statement = insert(_OUTBOX).from_select(names, outbox).returning(_OUTBOX.c.event_id)
    if chained:
        engagement_id = bindparam(f"{prefix}engagement_id", type_=_EVENTS.c.engagement_id.type)
        occurred_at = bindparam(f"{prefix}occurred_at", type_=_EVENTS.c.occurred_at.type)
        statement = statement.add_cte(chain.entry_cte(new_event, engagement_id, occurred_at))
    return statement


def _combined(update: Update | None, *, chained: bool) -> Insert:
    """The combined statement after ``update`` (None: the event alone), with or without the chain entry:
    built on first use, then the same object, so that SQLAlchemy compiles it once."""
    statement = _COMBINED.get((update, chained))
    if statement is None:
        prefix = "" if update is None else _PREFIX
        statement = _COMBINED[update, chained] = _insert_event_and_outbox(update, prefix, chained=chained)
    return statement


_PREFIX = "event_"
_COMBINED: dict[tuple[Update | None, bool], Insert] = {}


@sa_event.listens_for(EventRow, "before_update")
def _events_are_immutable(*_args: Any) -> None:
    # The database refuses too (triggers in the first migration); this catches it before the round trip.
    raise RuntimeError("events are append-only")


@sa_event.listens_for(EventRow, "before_delete")
def _events_are_never_deleted(*_args: Any) -> None:
    raise RuntimeError("events are append-only")
