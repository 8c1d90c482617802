"""What an actor may do next: for a step (or the engagement), the events its roles allow from the current
state, each with the status of every guard and whether the one door would accept it now.

Read-only: it asks the door's own check, so a listing never promises what the door would refuse, and it
shows the guard outcomes of that same verdict (each guard is evaluated once per event listed).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.engagements.rules import allowed_roles
from gouvernance.engagements.subject import Subject, load_subject
from gouvernance.engagements.transitions import check
from gouvernance.errors import Message
from gouvernance.guards.registry import GuardOutcome
from gouvernance.lifecycle.machines import EVENT_LABELS, EVENTS_NEEDING_REASON, machine_events, restored

# Stands in for the comment when checking an event that needs one: the listing says the comment is
# required (``requires_comment``) instead of reporting its absence as a refusal.
_SOME_COMMENT = "…"


@dataclass(frozen=True)
class EventOption:
    event: str
    label: tuple[str, str]  # (fr, en)
    requires_comment: bool
    guards: tuple[GuardOutcome, ...]
    refusals: tuple[Message, ...]  # every reason the door would refuse it now, failing guards included

    @property
    def possible(self) -> bool:
        return not self.refusals


def event_options(session: Session, subject: Subject, actor: ActorRef, clock: Clock) -> list[EventOption]:
    """The events ``actor``'s roles allow on the subject from its current state, in the machine's order."""
    with restored(subject.machine_class, subject.row.state) as machine:
        allowed = {event.id for event in machine.allowed_events}
    options = []
    for event in machine_events(subject.machine_class):
        if event not in allowed or not actor.roles & allowed_roles(subject, event):
            continue
        needs_comment = event in EVENTS_NEEDING_REASON
        verdict = check(
            session, subject, event, actor, clock, comment=_SOME_COMMENT if needs_comment else None
        )
        if verdict.forbidden is not None:
            continue
        options.append(
            EventOption(
                event,
                EVENT_LABELS.get(event, (event, event)),
                needs_comment,
                verdict.guards,
                verdict.refusals,
            )
        )
    return options


def step_subjects(session: Session, engagement_id: str) -> list[Subject]:
    """Every step of an engagement as the door sees it, in the model's order, read in one query."""
    engagement = load_subject(session, engagement_id, None)
    rows = {
        row.step_key: row
        for row in session.scalars(select(StepRow).where(StepRow.engagement_id == engagement_id))
    }
    model = engagement.model
    return [
        Subject(engagement.engagement, model, rows[key], spec)
        for key, spec in model.steps_by_key.items()
        if key in rows
    ]
