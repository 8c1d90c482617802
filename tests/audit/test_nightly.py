"""The nightly verification, called directly: an altered chain tells the admins of its organisation, once per
finding; intact chains tell no one."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from gouvernance.access.service import add_user
from gouvernance.audit.nightly import verify_and_alert
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.notifications.records import DeliveryRow, NotificationRow
from tests.audit.conftest import tamper


def test_an_altered_chain_is_reported_to_the_organisation_admins_once(tampered_db, clock, mini_model, people):
    db = tampered_db
    org = f"ville-{uuid.uuid4().hex[:8]}"
    with db.transaction() as session:
        add_user(session, f"admin.{org}", organisation=org, org_admin=True, clock=clock)
        add_user(session, f"agent.{org}", organisation=org, clock=clock)
        engagement_id = launch(
            session,
            LaunchRequest(mini_model, Territory("Olivet", "commune"), date(2026, 3, 2), organisation_id=org),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    first = verify_and_alert(db, clock=clock)
    assert engagement_id not in first.altered
    tamper(
        db,
        "UPDATE events SET actor = 'quelquun' WHERE engagement_id = :e AND event = 'activate'",
        e=engagement_id,
    )
    outcome = verify_and_alert(db, clock=clock)
    assert engagement_id in outcome.altered
    assert outcome.verified >= 1
    again = verify_and_alert(db, clock=clock)
    assert engagement_id in again.altered
    with db.reading() as session:
        (notification,) = session.scalars(
            select(NotificationRow).where(
                NotificationRow.engagement_id == engagement_id, NotificationRow.kind == "audit_altered"
            )
        )
        recipients = set(
            session.scalars(
                select(DeliveryRow.recipient).where(DeliveryRow.notification_id == notification.id)
            )
        )
    assert recipients == {f"admin.{org}"}
    assert "Registre altéré" in notification.subject
    assert "« actor »" in notification.body


def test_a_chain_whose_engagement_was_deleted_is_listed_and_tells_no_one(tampered_db, clock):
    db = tampered_db
    ghost = f"fantome-{uuid.uuid4().hex[:8]}"
    tamper(
        db,
        "INSERT INTO audit_entries (engagement_id, seq, kind, ref_id, recorded_at, prev_hash, hash, "
        "canonical, salts) VALUES (:e, 1, 'decision', 1, '2026-03-02 08:00:00', NULL, 'x', '{}', '{}')",
        e=ghost,
    )
    outcome = verify_and_alert(db, clock=clock)
    assert ghost in outcome.altered
    with db.reading() as session:
        told = select(NotificationRow).where(NotificationRow.engagement_id == ghost)
        assert not session.scalars(told).all()
