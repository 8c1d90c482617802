"""Sending what is pending, durably.

A delivery goes: ``pending`` → ``claimed`` (a batch, with a lease, committed) → ``sending`` (this one message,
committed just before it goes on the wire) → ``sent`` (committed right after), or ``retry`` (not before its
lease, after a failure) or ``failed`` (for good).

- A worker that stops, however it stops, leaves at most the one message it was sending in ``sending``: that
  message may have reached the server, so it waits for its lease to run out and is then sent again with the
  same Message-ID or delivery id, so that receivers can tell it is the same message.
- What it had claimed and not started is handed back (``release``), by the dispatch itself when it is
  interrupted, or by the worker process when its flow runs were killed, so another worker sends it at once.
- Everything marked sent is never sent again.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

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
from gouvernance.notifications.events import notify_events
from gouvernance.notifications.records import BODY_AFTER_SENDING, DeliveryRow, NotificationRow, WebhookRow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    retried_later: int = 0
    errors: list[str] = field(default_factory=list)


RECLAIMABLE = ("claimed", "sending", "retry")


def claim(db: Database, *, worker: str, clock: Clock, limit: int, lease: timedelta) -> list[int]:
    """Takes up to ``limit`` deliveries that are pending, or whose lease (a claim, or a retry's "not before")
    has run out."""
    now = clock.now()
    with db.transaction() as session:
        query = (
            select(DeliveryRow.id)
            .where(
                DeliveryRow.channel.in_(("email", "webhook")),
                or_(
                    DeliveryRow.status == "pending",
                    DeliveryRow.status.in_(RECLAIMABLE) & (DeliveryRow.lease_until < now),
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
                    status="claimed",
                    claimed_by=worker,
                    lease_until=now + lease,
                    attempts=DeliveryRow.attempts + 1,
                )
            )
    return ids


def default_worker_name() -> str:
    """What a worker's claims carry when GOUVERNANCE_WORKER_NAME does not name it: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_dispatch(
    db: Database,
    *,
    mailer: Mailer,
    webhooks: WebhookSender,
    clock: Clock,
    worker: str,
    batch_size: int,
) -> tuple[int, DispatchReport]:
    """One pass, the same for the worker's ``dispatch-notifications`` flow and for `gouvernance
    notifications dispatch`: the events not yet told become notifications, then what is pending is sent.
    Returns how many events were handled, and what was sent."""
    handled = notify_events(db, clock=clock, batch_size=batch_size)
    report = dispatch(db, mailer=mailer, webhooks=webhooks, clock=clock, worker=worker, batch_size=batch_size)
    return handled, report


def release(db: Database, *, worker: str, ids: list[int] | None = None) -> int:
    """Hands back what ``worker`` claimed and never started sending (only ``ids``, when given): pending
    again, as if never claimed. Returns how many."""
    conditions = [DeliveryRow.status == "claimed", DeliveryRow.claimed_by == worker]
    if ids is not None:
        if not ids:
            return 0
        conditions.append(DeliveryRow.id.in_(ids))
    with db.transaction() as session:
        result = session.execute(
            update(DeliveryRow)
            .where(*conditions)
            .values(status="pending", claimed_by=None, lease_until=None, attempts=DeliveryRow.attempts - 1)
            .execution_options(synchronize_session=False)
        )
    released = int(getattr(result, "rowcount", 0) or 0)
    if released:
        log.info("%s handed back %s claimed deliveries", worker, released)
    return released


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
        try:
            for delivery_id in ids:
                _send_one(
                    db,
                    delivery_id,
                    mailer=mailer,
                    webhooks=webhooks,
                    clock=clock,
                    worker=worker,
                    report=report,
                )
        except BaseException:
            # Stopped mid-batch (SIGTERM, Ctrl-C, a lost connection…): hand back the rest of the batch now
            # rather than when its lease runs out.
            release(db, worker=worker, ids=ids)
            raise


def _start_sending(db: Database, delivery_id: int, worker: str) -> DeliveryRow | None:
    """Marks the delivery as on the wire, if it is still ours (not handed back, nor reclaimed by another
    worker after our lease ran out), and returns it."""
    with db.transaction() as session:
        started = session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.id == delivery_id,
                DeliveryRow.status == "claimed",
                DeliveryRow.claimed_by == worker,
            )
            .values(status="sending")
            .execution_options(synchronize_session=False)
        )
        if not getattr(started, "rowcount", 0):
            return None
        return session.get(DeliveryRow, delivery_id)


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
    delivery = _start_sending(db, delivery_id, worker)
    if delivery is None:
        return
    with db.reading() as session:
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
        if _record_failure(db, delivery_id, error, clock, report):
            _seal(db, notification.id)
        return
    with db.transaction() as session:
        session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(status="sent", sent_at=clock.now(), lease_until=None, last_error=None)
        )
        _seal_in(session, notification.id)
    report.sent += 1


def _seal(db: Database, notification_id: int) -> None:
    with db.transaction() as session:
        _seal_in(session, notification_id)


def _seal_in(session: Session, notification_id: int) -> None:
    """The body without its secret, once the delivery is over (see ``records.BODY_AFTER_SENDING``)."""
    notification = session.get(NotificationRow, notification_id, with_for_update=True)
    if notification is None or BODY_AFTER_SENDING not in (notification.data or {}):
        return
    data = dict(notification.data)
    notification.body = data.pop(BODY_AFTER_SENDING)
    notification.data = data


def _record_failure(
    db: Database, delivery_id: int, error: Exception, clock: Clock, report: DispatchReport
) -> bool:
    """Records a failed attempt; True when it was the last (the delivery is given up)."""
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
                status="failed" if final else "retry",
                lease_until=None if final else clock.now() + backoff,
                last_error=str(error)[:2000],
            )
        )
    if final:
        report.failed += 1
    else:
        report.retried_later += 1
    report.errors.append(f"{delivery_id}: {error}")
    return final
