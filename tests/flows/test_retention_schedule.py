"""Retention fires by itself: a real `prefect server`, a real `gouvernance worker` with
GOUVERNANCE_RETENTION_INTERVAL_SECONDS shortened, nobody triggering anything. The contact details of an
engagement cancelled ten days ago (retention: one day) go, and a `retention_applied` event says so."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from gouvernance.access.service import ensure_organisation
from gouvernance.clock import FrozenClock
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.history.records import EventRow
from gouvernance.stakeholders import register_service
from gouvernance.stakeholders.records import Contact, StakeholderData
from gouvernance.stakeholders.tables import StakeholderContactRow
from tests.engagements.helpers import fire
from tests.flows.processes import Process, eventually

pytestmark = pytest.mark.slow

INTERVAL = 20
WITHIN = 300


def test_contacts_past_their_retention_go_without_anyone_triggering_it(
    db, mini_model, people, worker_env
) -> None:
    clock = FrozenClock(datetime.now(UTC) - timedelta(days=10))
    org = f"o-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        ensure_organisation(session, org, clock=clock)
        engagement_id = launch(
            session,
            LaunchRequest(
                mini_model,
                Territory("Ingré", "commune"),
                date.today(),
                organisation_id=org,
            ),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
        row = register_service.add_stakeholder(
            session,
            engagement_id=engagement_id,
            data=StakeholderData(
                id="m", name="M. Martin", kind="personne", category="habitant_usager", power=1, interest=1
            ),
            actor=people.consultant,
            clock=clock,
        )
        register_service.set_contact(
            session,
            engagement_id=engagement_id,
            stakeholder_id=row.id,
            contact=Contact(email="m.martin@exemple.fr"),
            actor=people.consultant,
            clock=clock,
        )
    fire(db, clock, engagement_id, None, "cancel", people.consultant, comment="abandon")
    worker = Process(
        [sys.executable, "-m", "gouvernance", "worker"],
        worker_env(retention_interval_seconds=INTERVAL, retention_contacts_days=1),
    )
    try:
        worker.wait_for("being served", timeout=180)

        def applied() -> dict | None:
            with db.reading() as session:
                event = session.scalars(
                    select(EventRow).where(
                        EventRow.engagement_id == engagement_id, EventRow.event == "retention_applied"
                    )
                ).one_or_none()
                return event.payload if event is not None else None

        payload = eventually(applied, timeout=WITHIN, what="the retention event", watching=worker)
        assert payload == {"contacts": 1, "evidence": []}
    finally:
        worker.stop()
    assert worker.stopped_on_sigterm(), f"killed after {worker.stop_seconds:.0f} s:\n{worker.tail()}"
    with db.reading() as session:
        assert session.get(StakeholderContactRow, row.id) is None
