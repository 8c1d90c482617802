"""The nightly verification fires by itself: a real `prefect server`, a real `gouvernance worker` with
GOUVERNANCE_AUDIT_INTERVAL_SECONDS shortened to a few seconds, nobody triggering anything. An event slipped
into the log behind the register's back is found, and the organisation's admin is notified."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from gouvernance.access.service import add_user
from gouvernance.clock import FrozenClock
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.notifications.records import DeliveryRow, NotificationRow
from tests.flows.processes import Process, eventually

pytestmark = pytest.mark.slow

INTERVAL = 20  # seconds: each run is a new process; shorter, they pile up on a busy machine
WITHIN = 300  # the scheduler's loop, the worker's polling, a flow run's process on a busy machine


def test_an_altered_chain_is_found_and_its_admins_told_without_anyone_triggering_it(
    db, mini_model, people, worker_env
) -> None:
    org = f"ville-{uuid.uuid4().hex[:8]}"
    clock = FrozenClock(datetime.now(UTC))
    with db.transaction() as session:
        add_user(session, f"admin.{org}", organisation=org, org_admin=True, clock=clock)
        engagement_id = launch(
            session,
            LaunchRequest(mini_model, Territory("Ingré", "commune"), date.today(), organisation_id=org),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    with db.engine.begin() as connection:  # an INSERT: what the append-only triggers let through
        connection.execute(
            text(
                "INSERT INTO events (engagement_id, step_key, event, actor, occurred_at, payload) "
                "VALUES (:e, 'a1', 'approve', 'quelquun', '2026-03-01 08:00:00', '{}')"
            ),
            {"e": engagement_id},
        )
    worker = Process(
        [sys.executable, "-m", "gouvernance", "worker"], worker_env(audit_interval_seconds=INTERVAL)
    )
    try:
        worker.wait_for("being served", timeout=180)

        def alert() -> list[str] | None:
            with db.reading() as session:
                notification = session.scalars(
                    select(NotificationRow).where(
                        NotificationRow.engagement_id == engagement_id,
                        NotificationRow.kind == "audit_altered",
                    )
                ).one_or_none()
                if notification is None:
                    return None
                return list(
                    session.scalars(
                        select(DeliveryRow.recipient).where(DeliveryRow.notification_id == notification.id)
                    )
                )

        recipients = eventually(alert, timeout=WITHIN, what="the audit alert", watching=worker)
        assert recipients == [f"admin.{org}"]
    finally:
        worker.stop()
    assert worker.stopped_on_sigterm(), f"killed after {worker.stop_seconds:.0f} s:\n{worker.tail()}"
