"""Writing notifications and their deliveries idempotently."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.db.upsert import insert_ignoring_duplicates
from gouvernance.notifications.recipients import Recipient
from gouvernance.notifications.records import DeliveryRow, NotificationRow


@dataclass
class Draft:
    """A notification to create once (``dedupe_key``), with the people and endpoints to tell."""

    dedupe_key: str
    kind: str
    subject: str
    body: str
    engagement_id: str | None = None
    step_id: int | None = None
    role: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    recipients: list[Recipient] = field(default_factory=list)
    webhooks: list[tuple[int, str]] = field(default_factory=list)  # (webhook id, url)


def create(session: Session, drafts: Iterable[Draft], *, now: datetime) -> int:
    """Creates the notifications not created yet and their deliveries; returns how many were new."""
    created = 0
    notification_insert = insert_ignoring_duplicates(session, NotificationRow.__table__).returning(
        NotificationRow.__table__.c.id
    )
    delivery_insert = insert_ignoring_duplicates(session, DeliveryRow.__table__)
    for draft in drafts:
        notification_id = session.execute(
            notification_insert,
            {
                "dedupe_key": draft.dedupe_key,
                "kind": draft.kind,
                "engagement_id": draft.engagement_id,
                "step_id": draft.step_id,
                "role": draft.role,
                "subject": draft.subject,
                "body": draft.body,
                "data": draft.data,
                "created_at": now,
            },
        ).scalar()
        if notification_id is None:
            continue  # told already: a sweep or a consumer ran again
        created += 1
        deliveries = _deliveries(notification_id, draft, now)
        if deliveries:
            session.execute(delivery_insert, deliveries)
    return created


def _deliveries(notification_id: int, draft: Draft, now: datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    base = {"notification_id": notification_id, "attempts": 0, "created_at": now}
    for recipient in draft.recipients:
        # In the application, a notification is there as soon as it exists.
        rows.append(
            {
                **base,
                "channel": "in_app",
                "recipient": recipient.login,
                "address": None,
                "status": "sent",
                "sent_at": now,
            }
        )
        if recipient.email and not recipient.daily_digest:
            rows.append(
                {
                    **base,
                    "channel": "email",
                    "recipient": recipient.login,
                    "address": recipient.email,
                    "status": "pending",
                    "sent_at": None,
                }
            )
    for webhook_id, url in draft.webhooks:
        rows.append(
            {
                **base,
                "channel": "webhook",
                "recipient": f"webhook:{webhook_id}",
                "address": url,
                "status": "pending",
                "sent_at": None,
            }
        )
    return rows
