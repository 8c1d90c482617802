"""The daily digest: one e-mail a day for the people who asked for it, listing what they were told in the
application since the previous one, each item with the link to open it."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.deliverables.french import format_date as french_date
from gouvernance.notifications.messages import engagement_url, step_url
from gouvernance.notifications.recipients import Recipient
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow
from gouvernance.notifications.store import Draft, create


def build_digests(session: Session, *, now: datetime, base_url: str, tz: tzinfo) -> int:
    """Creates today's digest (the day in ``tz``) for every user who wants one and had notifications in the
    last day."""
    since = now - timedelta(days=1)
    today = now.astimezone(tz).date()
    created = 0
    for contact in session.scalars(
        select(ContactRow).where(ContactRow.daily_digest.is_(True), ContactRow.email.is_not(None))
    ):
        items = [
            (subject, _link(base_url, engagement_id, data))
            for subject, engagement_id, data in session.execute(
                select(NotificationRow.subject, NotificationRow.engagement_id, NotificationRow.data)
                .join(DeliveryRow, DeliveryRow.notification_id == NotificationRow.id)
                .where(
                    DeliveryRow.channel == "in_app",
                    DeliveryRow.recipient == contact.login,
                    NotificationRow.created_at > since,
                    NotificationRow.created_at <= now,
                    NotificationRow.kind != "digest",
                )
                .order_by(NotificationRow.id)
            )
        ]
        if not items:
            continue
        body = "\n".join(
            [
                "Bonjour,",
                "",
                f"Voici ce qui vous concerne depuis hier ({len(items)}) :",
                "",
                *[f"• {subject}" + (f"\n  {link}" if link else "") for subject, link in items],
                "",
                "— gouvernance",
            ]
        )
        # The digest is itself sent by e-mail, so the recipient is marked as not wanting digests here.
        created += create(
            session,
            [
                Draft(
                    dedupe_key=f"digest:{contact.login}:{today.isoformat()}",
                    kind="digest",
                    subject=f"Votre récapitulatif du {french_date(today)}",
                    body=body,
                    data={"items": [{"subject": subject, "url": link} for subject, link in items]},
                    recipients=[Recipient(contact.login, contact.email, daily_digest=False)],
                )
            ],
            now=now,
        )
    return created


def _link(base_url: str, engagement_id: str | None, data: dict[str, Any]) -> str | None:
    """The notification's own link (reminders carry one), else its step's or its engagement's."""
    if data.get("url"):
        return str(data["url"])
    if engagement_id is None:
        return None
    step_key = data.get("step_key")
    if isinstance(step_key, str):
        return step_url(base_url, engagement_id, step_key)
    return engagement_url(base_url, engagement_id)
