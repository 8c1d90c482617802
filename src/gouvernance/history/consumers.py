"""Reading the outbox: each consumer sees every row once, in order, however often it runs or dies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gouvernance.db.upsert import insert_ignoring_duplicates
from gouvernance.history.records import OutboxReceiptRow, OutboxRow

# Every consumer of the outbox; a row is done when all of them have handled it.
CONSUMERS: tuple[str, ...] = ("deliverables", "notifications")


def pending_for(
    session: Session, consumer: str, *, limit: int, topics: Sequence[str] | None = None, lock: bool = False
) -> list[OutboxRow]:
    query = (
        select(OutboxRow)
        .where(
            OutboxRow.status == "pending",
            ~select(OutboxReceiptRow.outbox_id)
            .where(OutboxReceiptRow.consumer == consumer, OutboxReceiptRow.outbox_id == OutboxRow.id)
            .exists(),
        )
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if topics is not None:
        query = query.where(OutboxRow.topic.in_(list(topics)))
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=OutboxRow, skip_locked=True)
    return list(session.scalars(query))


def acknowledge(session: Session, consumer: str, outbox_ids: Sequence[int], *, now: datetime) -> None:
    """Records the receipts (one already there means another run got there first) and closes the rows every
    consumer has handled."""
    if not outbox_ids:
        return
    statement = insert_ignoring_duplicates(session, OutboxReceiptRow.__table__)
    session.execute(
        statement, [{"consumer": consumer, "outbox_id": i, "processed_at": now} for i in outbox_ids]
    )
    handled_by_all = (
        select(OutboxReceiptRow.outbox_id)
        .where(OutboxReceiptRow.outbox_id.in_(list(outbox_ids)))
        .group_by(OutboxReceiptRow.outbox_id)
        .having(func.count() >= len(CONSUMERS))
    )
    session.execute(
        update(OutboxRow).where(OutboxRow.id.in_(handled_by_all)).values(status="done", processed_at=now)
    )
