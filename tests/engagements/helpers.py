"""Test helpers for driving engagements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.engagements.transitions import TransitionResult, transition
from gouvernance.evidence.service import attach_file
from gouvernance.evidence.store import BlobStore, MemoryBlobStore
from gouvernance.history.records import EventRow, OutboxRow


def fire(
    db: Database,
    clock: Clock,
    engagement_id: str,
    step_key: str | None,
    event: str,
    actor: ActorRef,
    **kwargs: object,
) -> TransitionResult:
    with db.transaction() as session:
        return transition(
            session,
            engagement_id=engagement_id,
            step_key=step_key,
            event=event,
            actor=actor,
            clock=clock,
            **kwargs,
        )  # type: ignore[arg-type]


def step(db: Database, engagement_id: str, step_key: str) -> StepRow:
    with db.reading() as session:
        row = session.scalar(
            select(StepRow).where(StepRow.engagement_id == engagement_id, StepRow.step_key == step_key)
        )
        assert row is not None
        return row


def counts(db: Database, engagement_id: str) -> tuple[int, int]:
    """(events, outbox rows) of an engagement."""
    with db.reading() as session:
        events = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.engagement_id == engagement_id)
        )
        outbox = session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.engagement_id == engagement_id)
        )
        return int(events or 0), int(outbox or 0)


def force_state(db: Database, engagement_id: str, step_key: str, state: str) -> None:
    """Test set-up only: puts a step in a given state without going through the door."""
    with db.transaction() as session:
        session.execute(
            text("UPDATE steps SET state = :state WHERE engagement_id = :e AND step_key = :k"),
            {"state": state, "e": engagement_id, "k": step_key},
        )


def attach_note(
    db: Database,
    clock: Clock,
    engagement_id: str,
    actor: ActorRef,
    *,
    label: str = "note juridique",
    store: BlobStore | None = None,
) -> None:
    """The legal note the small test model's first step asks for."""
    with db.transaction() as session:
        attach_file(
            session,
            engagement_id=engagement_id,
            step_key="a1",
            label=label,
            filename="note.pdf",
            content=b"%PDF-1.7 note",
            content_type="application/pdf",
            actor=actor,
            store=store or MemoryBlobStore(),
            clock=clock,
            max_bytes=1000,
        )


def finish_a1_a2(
    db: Database, clock: Clock, engagement_id: str, people: Any, store: BlobStore | None = None
) -> None:
    """Walks the small test model's first two steps to done (the second produces the « note » deliverable),
    which makes its review step ready."""
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    attach_note(db, clock, engagement_id, people.consultant, store=store)
    for key in ("a1", "a2"):
        if key == "a2":
            fire(db, clock, engagement_id, key, "start", people.consultant)
        fire(db, clock, engagement_id, key, "submit", people.consultant)
        fire(db, clock, engagement_id, key, "approve", people.chef)
