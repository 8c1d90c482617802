"""Retention with a frozen clock: contact details and evidence files go a set number of days after their
engagement closed, not before, and each engagement concerned gets an event saying what went."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gouvernance.audit.verify import verify
from gouvernance.evidence.records import EvidenceRow
from gouvernance.evidence.service import attach_file
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.history.records import EventRow
from gouvernance.privacy.retention import apply_retention
from gouvernance.stakeholders.tables import StakeholderContactRow, StakeholderRow
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
                select(EventRow).where(
                    EventRow.engagement_id == engagement_id, EventRow.event == "retention_applied"
                )
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
