"""Retention: stakeholder contact details and evidence files are deleted a set number of days after their
engagement closed (completed or cancelled); with the evidence, the training attendance lists lose their
names and qualities (each line becomes « Participant n° N », its presence and organisation kept for the
counts). Each engagement where something went gets a ``retention_applied`` event saying what (counts and
evidence ids, ``attendees`` when some lines were anonymised; never the deleted values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.deliverables.records import DeliverableRow
from gouvernance.engagements.actors import SYSTEM_LOGIN, SYSTEM_ROLE
from gouvernance.engagements.records import EngagementRow
from gouvernance.evidence.records import EvidenceRow
from gouvernance.evidence.store import BlobStore
from gouvernance.history.log import append_event
from gouvernance.history.records import EventRow
from gouvernance.stakeholders.tables import StakeholderContactRow, StakeholderRow
from gouvernance.training.records import AttendeeRow, TrainingSessionRow

CLOSED = ("completed", "cancelled")
ANONYMOUS_ATTENDEE = "Participant n° "


@dataclass
class RetentionReport:
    engagements: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def contacts(self) -> int:
        return sum(item["contacts"] for item in self.engagements.values())

    @property
    def evidence(self) -> int:
        return sum(len(item["evidence"]) for item in self.engagements.values())

    @property
    def attendees(self) -> int:
        return sum(item.get("attendees", 0) for item in self.engagements.values())


def closed_engagements(session: Session) -> list[tuple[str, datetime]]:
    """Each closed engagement and when it closed (its last engagement-level event into a closed state)."""
    rows = session.execute(
        select(EngagementRow.id, func.max(EventRow.occurred_at))
        .join(EventRow, EventRow.engagement_id == EngagementRow.id)
        .where(
            EngagementRow.state.in_(CLOSED),
            EventRow.step_id.is_(None),
            EventRow.to_state.in_(CLOSED),
        )
        .group_by(EngagementRow.id)
        .order_by(EngagementRow.id)
    )
    return [(engagement_id, closed_at) for engagement_id, closed_at in rows]


def apply_retention(
    db: Database, *, blobs: BlobStore, clock: Clock, contacts_days: int, evidence_days: int
) -> RetentionReport:
    """Deletes what is past its time, one engagement per transaction; blobs after the commit, when no row
    still points at them."""
    report = RetentionReport()
    now = clock.now()
    with db.reading() as session:
        closed = closed_engagements(session)
    for engagement_id, closed_at in closed:
        with db.transaction() as session:
            done, orphans = _apply_one(
                session,
                engagement_id,
                contacts=closed_at + timedelta(days=contacts_days) <= now,
                evidence=closed_at + timedelta(days=evidence_days) <= now,
                now=now,
            )
        for sha256 in orphans:
            blobs.delete(sha256)
        if done:
            report.engagements[engagement_id] = done
    return report


def _apply_one(
    session: Session, engagement_id: str, *, contacts: bool, evidence: bool, now: datetime
) -> tuple[dict[str, Any] | None, list[str]]:
    deleted_contacts = 0
    if contacts:
        deleted_contacts = cast(
            CursorResult[Any],
            session.execute(
                delete(StakeholderContactRow).where(
                    StakeholderContactRow.stakeholder_id.in_(
                        select(StakeholderRow.id).where(StakeholderRow.engagement_id == engagement_id)
                    )
                )
            ),
        ).rowcount
    files: list[tuple[int, str]] = []
    attendees = _anonymise_attendees(session, engagement_id, now) if evidence else 0
    if evidence:
        files = [
            (evidence_id, sha256)
            for evidence_id, sha256 in session.execute(
                select(EvidenceRow.id, EvidenceRow.sha256).where(
                    EvidenceRow.engagement_id == engagement_id, EvidenceRow.kind == "file"
                )
            )
            if sha256 is not None
        ]
        if files:
            session.execute(delete(EvidenceRow).where(EvidenceRow.id.in_([i for i, _ in files])))
    if not deleted_contacts and not files and not attendees:
        return None, []
    done: dict[str, Any] = {"contacts": deleted_contacts, "evidence": sorted(i for i, _ in files)}
    if attendees:
        done["attendees"] = attendees
    append_event(
        session,
        engagement_id=engagement_id,
        step=None,
        event="retention_applied",
        from_state=None,
        to_state=None,
        actor=SYSTEM_LOGIN,
        actor_role=SYSTEM_ROLE,
        at=now,
        comment=None,
        payload=done,
        version=None,
    )
    hashes = sorted({sha256 for _, sha256 in files})
    still = set(session.scalars(select(EvidenceRow.sha256).where(EvidenceRow.sha256.in_(hashes))))
    still |= set(session.scalars(select(DeliverableRow.sha256).where(DeliverableRow.sha256.in_(hashes))))
    return done, [sha256 for sha256 in hashes if sha256 not in still]


def _anonymise_attendees(session: Session, engagement_id: str, now: datetime) -> int:
    """The engagement's attendance lines still bearing a name become « Participant n° N » (N: the row id),
    without quality; presence and organisation stay."""
    rows = session.scalars(
        select(AttendeeRow)
        .join(TrainingSessionRow, TrainingSessionRow.id == AttendeeRow.session_id)
        .where(
            TrainingSessionRow.engagement_id == engagement_id,
            ~AttendeeRow.name.startswith(ANONYMOUS_ATTENDEE, autoescape=True),
        )
        .order_by(AttendeeRow.id)
    ).all()
    for row in rows:
        row.name, row.quality = f"{ANONYMOUS_ATTENDEE}{row.id}", ""
        row.version += 1
        row.updated_at = now
    session.flush()
    return len(rows)
