"""Sending what is pending, durably.

Each delivery is claimed (status ``sending`` with a lease, committed) before it is sent and marked ``sent``
(committed) right after, one at a time. A worker killed in the middle leaves at most the one delivery it was
sending in ``sending``; its lease expires and another run sends it again, with the same Message-ID or
delivery id, so receivers can tell it is the same message. Everything already marked sent is never resent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update

from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.notifications.channels import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    Mailer,
    WebhookSender,
    delivery_message_id,
    email_message,
    sign,
    webhook_body,
)
from gouvernance.notifications.records import DeliveryRow, NotificationRow, WebhookRow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    retried_later: int = 0
    errors: list[str] = field(default_factory=list)


def claim(db: Database, *, worker: str, clock: Clock, limit: int, lease: timedelta) -> list[int]:
    """Takes up to ``limit`` deliveries that are pending, or whose previous claim has expired."""
    now = clock.now()
    with db.transaction() as session:
        query = (
            select(DeliveryRow.id)
            .where(
                DeliveryRow.channel.in_(("email", "webhook")),
                or_(
                    DeliveryRow.status == "pending",
                    (DeliveryRow.status == "sending") & (DeliveryRow.lease_until < now),
                ),
            )
            .order_by(DeliveryRow.id)
            .limit(limit)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)  # several workers share the queue
        ids = list(session.scalars(query))
        if ids:
            session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_(ids))
                .values(
                    status="sending",
                    claimed_by=worker,
                    lease_until=now + lease,
                    attempts=DeliveryRow.attempts + 1,
                )
            )
    return ids


def dispatch(
    db: Database,
    *,
    mailer: Mailer,
    webhooks: WebhookSender,
    clock: Clock,
    worker: str,
    batch_size: int = 100,
    lease: timedelta = timedelta(minutes=5),
) -> DispatchReport:
    report = DispatchReport()
    while True:
        ids = claim(db, worker=worker, clock=clock, limit=batch_size, lease=lease)
        if not ids:
            return report
        for delivery_id in ids:
            _send_one(
                db, delivery_id, mailer=mailer, webhooks=webhooks, clock=clock, worker=worker, report=report
            )


def _send_one(
    db: Database,
    delivery_id: int,
    *,
    mailer: Mailer,
    webhooks: WebhookSender,
    clock: Clock,
    worker: str,
    report: DispatchReport,
) -> None:
    with db.reading() as session:
        delivery = session.get(DeliveryRow, delivery_id)
        if delivery is None or delivery.status != "sending" or delivery.claimed_by != worker:
            return  # another worker reclaimed it after our lease ran out
        notification = session.get(NotificationRow, delivery.notification_id)
        assert notification is not None
        secret = None
        if delivery.channel == "webhook":
            hook = session.get(WebhookRow, int(delivery.recipient.split(":", 1)[1]))
            secret = hook.secret if hook is not None and hook.active else None
    try:
        if delivery.channel == "email":
            mailer.send(
                email_message(
                    to=delivery.address or "",
                    subject=notification.subject,
                    body=notification.body,
                    message_id=delivery_message_id(delivery.id),
                    sent_at=clock.now().timestamp(),
                )
            )
        else:
            if secret is None:
                raise RuntimeError("webhook disabled or removed")
            body = webhook_body(
                {
                    "delivery_id": delivery.id,
                    "kind": notification.kind,
                    "engagement_id": notification.engagement_id,
                    "subject": notification.subject,
                    "data": notification.data,
                }
            )
            webhooks.post(
                delivery.address or "",
                body,
                {
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(secret, body, int(clock.now().timestamp())),
                    DELIVERY_HEADER: str(delivery.id),
                },
            )
    except Exception as error:
        _record_failure(db, delivery_id, error, clock, report)
        return
    with db.transaction() as session:
        session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(status="sent", sent_at=clock.now(), lease_until=None, last_error=None)
        )
    report.sent += 1


def _record_failure(
    db: Database, delivery_id: int, error: Exception, clock: Clock, report: DispatchReport
) -> None:
    log.warning("delivery %s failed: %s", delivery_id, error)
    with db.transaction() as session:
        delivery = session.get(DeliveryRow, delivery_id)
        assert delivery is not None
        final = delivery.attempts >= MAX_ATTEMPTS
        # Back off: the lease doubles as "not before", so a failing endpoint is retried later, not at once.
        backoff = timedelta(minutes=2 ** min(delivery.attempts, 8))
        session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(
                status="failed" if final else "sending",
                lease_until=None if final else clock.now() + backoff,
                last_error=str(error)[:2000],
            )
        )
    if final:
        report.failed += 1
    else:
        report.retried_later += 1
    report.errors.append(f"{delivery_id}: {error}")
