"""What the features around the door (objectives, decisions…) share: the engagement by its id, refused in the
door's words when it does not exist, and a change of theirs logged in the engagement's history."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.errors import NotFound
from gouvernance.history.log import append_event
from gouvernance.messages import engagement_not_found


def engagement_or_not_found(session: Session, engagement_id: str) -> EngagementRow:
    engagement = session.get(EngagementRow, engagement_id)
    if engagement is None:
        raise NotFound(engagement_not_found(engagement_id))
    return engagement


def log_change(
    session: Session,
    engagement_id: str,
    event: str,
    payload: dict[str, Any],
    actor: ActorRef,
    clock: Clock,
    step: StepRow | None = None,
) -> None:
    """An append-only event (and its outbox row) for a change that is not a state transition: consumers and
    the timeline see it like any other."""
    append_event(
        session,
        engagement_id=engagement_id,
        step=step,
        event=event,
        from_state=None,
        to_state=None,
        actor=actor.login,
        actor_role=next(iter(sorted(actor.roles)), None),
        at=clock.now(),
        comment=None,
        payload=payload,
        version=None,
    )
