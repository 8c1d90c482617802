"""Who was told what: notifications with their recipients and where each delivery stands, for the sweep's
report and for `gouvernance notifications list`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.notifications.records import DeliveryRow, NotificationRow

CHANNEL_LABELS = {"email": "courriel", "in_app": "application", "webhook": "webhook"}
STATUS_LABELS = {
    "pending": "en attente",
    "claimed": "réservé",
    "sending": "en cours d'envoi",
    "sent": "envoyé",
    "retry": "à réessayer",
    "failed": "échec",
}


@dataclass(frozen=True)
class Told:
    notification: NotificationRow
    deliveries: list[DeliveryRow]

    def recipients(self) -> dict[str, list[str]]:
        """Each recipient (a login, or a webhook) with its channels, in French."""
        by_recipient: dict[str, list[str]] = defaultdict(list)
        for delivery in self.deliveries:
            by_recipient[delivery.recipient].append(CHANNEL_LABELS.get(delivery.channel, delivery.channel))
        return dict(by_recipient)


def notifications_created_at(session: Session, at: datetime) -> list[Told]:
    """The notifications a pass created at ``at`` (the instant it stamps them with)."""
    return _with_deliveries(
        session,
        session.scalars(
            select(NotificationRow).where(NotificationRow.created_at == at).order_by(NotificationRow.id)
        ),
    )


def recent_notifications(
    session: Session, *, limit: int = 50, engagement_id: str | None = None
) -> list[Told]:
    """The latest notifications, newest first (of one engagement, or of all)."""
    query = select(NotificationRow).order_by(NotificationRow.id.desc()).limit(limit)
    if engagement_id is not None:
        query = query.where(NotificationRow.engagement_id == engagement_id)
    return _with_deliveries(session, session.scalars(query))


def _with_deliveries(session: Session, rows: Iterable[NotificationRow]) -> list[Told]:
    notifications = list(rows)
    deliveries: dict[int, list[DeliveryRow]] = defaultdict(list)
    if notifications:
        for delivery in session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.notification_id.in_([n.id for n in notifications]))
            .order_by(DeliveryRow.recipient, DeliveryRow.channel)
        ):
            deliveries[delivery.notification_id].append(delivery)
    return [Told(notification, deliveries[notification.id]) for notification in notifications]
