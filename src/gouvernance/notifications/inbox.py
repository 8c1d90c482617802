"""What a user sees of their notifications in the application."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gouvernance.errors import Message, NotFound
from gouvernance.notifications.records import DeliveryRow, NotificationRow


def inbox(
    session: Session, login: str, *, unread_only: bool = False, limit: int = 50, before_id: int | None = None
) -> list[tuple[DeliveryRow, NotificationRow]]:
    """Newest first; ``before_id`` pages back from a delivery id."""
    query = (
        select(DeliveryRow, NotificationRow)
        .join(NotificationRow, NotificationRow.id == DeliveryRow.notification_id)
        .where(DeliveryRow.channel == "in_app", DeliveryRow.recipient == login)
        .order_by(DeliveryRow.id.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(DeliveryRow.read_at.is_(None))
    if before_id is not None:
        query = query.where(DeliveryRow.id < before_id)
    return [(delivery, notification) for delivery, notification in session.execute(query)]


def mark_read(session: Session, login: str, delivery_id: int, *, now: datetime) -> None:
    updated = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.channel == "in_app", DeliveryRow.recipient == login)
        .values(read_at=now)
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        raise NotFound(
            Message("notification.not_found", "Notification introuvable", "Notification not found")
        )
