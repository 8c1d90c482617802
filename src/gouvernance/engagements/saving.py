"""How the door writes a transition: a versioned UPDATE of the row, then its immutable event and outbox
row, in the caller's transaction (on PostgreSQL, one statement). The door decides; this module writes.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table, Update, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.history.log import append_event, update_and_append_event

# The columns a transition may change, per table. Every UPDATE sets all of them (unchanged ones to their
# current value) so that the statement is the same each time and compiled once.
_TRANSITION_COLUMNS: dict[Any, tuple[str, ...]] = {
    StepRow.__table__: ("state", "updated_at", "ready_at", "due_at", "started_at", "completed_at", "round"),
    EngagementRow.__table__: ("state", "updated_at"),
}
_UPDATES = {
    table: update(table)
    .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_read_version"))
    .values({name: bindparam(name) for name in (*columns, "version")})
    for table, columns in _TRANSITION_COLUMNS.items()
}


def versioned_update(row: EngagementRow | StepRow, changes: dict[str, Any]) -> tuple[Update, dict[str, Any]]:
    """``UPDATE … SET … WHERE id = :_id AND version = :_read_version`` for a transition's changes, and its
    parameters (``version`` is the new one)."""
    table = cast(Table, type(row).__table__)
    columns = _TRANSITION_COLUMNS[table]
    assert changes.keys() <= set(columns), f"not a transition column: {set(changes) - set(columns)}"
    values = {name: changes[name] if name in changes else getattr(row, name) for name in columns}
    values.update(version=row.version + 1, _id=row.id, _read_version=row.version)
    return _UPDATES[table], values


def save(
    session: Session,
    row: EngagementRow | StepRow,
    update: Update,
    values: dict[str, Any],
    event_fields: dict[str, Any],
) -> int:
    """Runs the versioned UPDATE, then appends the event and its outbox row; returns the event id. Issued
    directly rather than through the unit of work (this is every transition's hot path): the ORM object is
    then given the stored values without being marked dirty. Raises StaleDataError, with nothing written,
    when another transaction changed the row since we read it."""
    event_id: int | None
    if session.get_bind().dialect.name == "postgresql":
        # The UPDATE, the event and its outbox row in one statement: one round trip instead of two.
        event_id = update_and_append_event(session, update, values, **event_fields)
    else:
        result: CursorResult[Any] = session.execute(update, values)  # type: ignore[assignment]
        event_id = append_event(session, **event_fields) if result.rowcount == 1 else None
    if event_id is None:
        raise StaleDataError(f"{type(row).__tablename__} {row.id} changed since version {row.version}")
    for name, value in values.items():
        if not name.startswith("_"):  # _id, _read_version: the WHERE clause's parameters
            set_committed_value(row, name, value)
    return event_id


def record_stage_completed(session: Session, engagement_id: str, stage_key: str, clock: Clock) -> None:
    """A stage's completion goes in the history and the outbox; no row changes state."""
    append_event(
        session,
        engagement_id=engagement_id,
        step=None,
        event="stage_completed",
        from_state=None,
        to_state=None,
        actor=ActorRef.system().login,
        actor_role="system",
        at=clock.now(),
        comment=None,
        payload={"stage_key": stage_key},
        version=None,
        topic="stage.completed",
        extra_outbox={"stage_key": stage_key},
    )
