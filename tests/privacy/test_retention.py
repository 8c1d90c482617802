"""Retention with a frozen clock: contact details and evidence files go a set number of days after their
engagement closed, not before, with the names on the training attendance lists, and each engagement concerned
gets an event saying what went."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from gouvernance.audit.verify import verify
from gouvernance.evidence.records import EvidenceRow
from gouvernance.evidence.service import attach_file
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.history.records import EventRow
from gouvernance.privacy.retention import apply_retention
from gouvernance.stakeholders.tables import StakeholderContactRow, StakeholderRow
from gouvernance.training.records import AttendeeRow
from gouvernance.training.service import (
    AttendeeData,
    Audience,
    SessionData,
    SessionStatus,
    add_attendee,
    add_session,
)
from tests.engagements.helpers import fire


def _contacts(db, engagement_id: str) -> int:
    with db.reading() as session:
        return len(
            session.scalars(
                select(StakeholderContactRow.stakeholder_id)
                .join(StakeholderRow, StakeholderRow.id == StakeholderContactRow.stakeholder_id)
                .where(StakeholderRow.engagement_id == engagement_id)
            ).all()
        )


def _retention_events(db, engagement_id: str) -> list[dict]:
    with db.reading() as session:
        return [
            e.payload
            for e in session.scalars(
                select(EventRow)
                .where(EventRow.engagement_id == engagement_id, EventRow.event == "retention_applied")
                .order_by(EventRow.id)
            )
        ]


def test_retention_deletes_only_what_is_past_its_time(db, clock, case, people, launch_engagement, mini_model):
    blobs = MemoryBlobStore()
    with db.transaction() as session:
        evidence = attach_file(
            session,
            engagement_id=case.engagement_id,
            step_key="a1",
            label="compte-rendu",
            filename="cr.txt",
            content=b"compte rendu nominatif",
            content_type="text/plain",
            actor=people.consultant,
            store=blobs,
            clock=clock,
            max_bytes=10_000,
        )
    sha256 = evidence.sha256
    open_one = launch_engagement(mini_model)  # never closed: never touched
    fire(db, clock, case.engagement_id, None, "cancel", people.consultant, comment="abandon")

    def run():
        return apply_retention(db, blobs=blobs, clock=clock, contacts_days=30, evidence_days=90)

    clock.advance(timedelta(days=29))
    assert case.engagement_id not in run().engagements
    assert _contacts(db, case.engagement_id) == 2
    clock.advance(timedelta(days=2))
    first = run().engagements[case.engagement_id]
    assert first == {"contacts": 2, "evidence": []}
    assert _contacts(db, case.engagement_id) == 0
    assert blobs.exists(sha256)
    clock.advance(timedelta(days=60))
    second = run().engagements[case.engagement_id]
    assert second == {"contacts": 0, "evidence": [evidence.id]}
    assert not blobs.exists(sha256)
    with db.reading() as session:
        assert session.get(EvidenceRow, evidence.id) is None
        assert verify(session, case.engagement_id).ok
    assert _retention_events(db, case.engagement_id) == [first, second]
    assert case.engagement_id not in run().engagements  # nothing left: nothing recorded
    assert _retention_events(db, open_one) == []


def test_attendance_lists_lose_their_names_with_the_evidence(db, clock, case, people):
    with db.transaction() as session:
        training = add_session(
            session,
            engagement_id=case.engagement_id,
            data=SessionData(
                title="Budget participatif",
                held_on=date(2026, 3, 1),
                duration_hours=Decimal(2),
                audience=Audience.AGENTS,
                trainer="Cabinet Exemple",
                status=SessionStatus.TENUE,
            ),
            actor=people.consultant,
            clock=clock,
        )
        for name, present in ((case.name, True), (case.other_name, False)):
            add_attendee(
                session,
                engagement_id=case.engagement_id,
                session_id=training.id,
                data=AttendeeData(name=name, quality="agent", organisation="Mairie", present=present),
                actor=people.consultant,
                clock=clock,
            )
    fire(db, clock, case.engagement_id, None, "cancel", people.consultant, comment="abandon")

    def run():
        return apply_retention(db, blobs=MemoryBlobStore(), clock=clock, contacts_days=30, evidence_days=90)

    def lines():
        with db.reading() as session:
            return [
                (a.name, a.quality, a.organisation, a.present)
                for a in session.scalars(
                    select(AttendeeRow).where(AttendeeRow.session_id == training.id).order_by(AttendeeRow.id)
                )
            ]

    clock.advance(timedelta(days=31))
    assert "attendees" not in run().engagements[case.engagement_id]  # contacts only: names kept
    assert [name for name, *_ in lines()] == [case.name, case.other_name]
    clock.advance(timedelta(days=60))
    report = run()
    assert report.engagements[case.engagement_id] == {"contacts": 0, "evidence": [], "attendees": 2}
    assert report.attendees == 2
    kept = lines()
    assert [(quality, organisation, present) for _, quality, organisation, present in kept] == [
        ("", "Mairie", True),
        ("", "Mairie", False),
    ]
    assert all(name.startswith("Participant n° ") for name, *_ in kept)
    assert case.engagement_id not in run().engagements  # already anonymised: nothing again
    with db.reading() as session:
        assert verify(session, case.engagement_id).ok
