"""The daily digest: one e-mail a day for the people who asked for it, listing what they were told in the
application since the previous one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.deliverables.french import format_date as french_date
from gouvernance.notifications.recipients import Recipient
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow
from gouvernance.notifications.store import Draft, create


def build_digests(session: Session, *, now: datetime) -> int:
    """Creates today's digest for every user who wants one and had notifications in the last day."""
    since = now - timedelta(days=1)
    created = 0
    for contact in session.scalars(
        select(ContactRow).where(ContactRow.daily_digest.is_(True), ContactRow.email.is_not(None))
    ):
        subjects = list(
            session.scalars(
                select(NotificationRow.subject)
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
        )
        if not subjects:
            continue
        day = french_date(now)
        body = "\n".join(
            [
                "Bonjour,",
                "",
                f"Voici ce qui vous concerne depuis hier ({len(subjects)}) :",
                "",
                *[f"• {subject}" for subject in subjects],
                "",
                "— gouvernance",
            ]
        )
        # The digest is itself sent by e-mail, so the recipient is marked as not wanting digests here.
        created += create(
            session,
            [
                Draft(
                    dedupe_key=f"digest:{contact.login}:{now.date().isoformat()}",
                    kind="digest",
                    subject=f"Votre récapitulatif du {day}",
                    body=body,
                    recipients=[Recipient(contact.login, contact.email, daily_digest=False)],
                )
            ],
            now=now,
        )
    return created
