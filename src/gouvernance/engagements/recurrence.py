"""Recurring journeys (a yearly satisfaction barometer…): completing one cycle opens the next, linked to it,
in the same transaction. Its parameters carry over, with the cycle counter incremented; it starts the day
after (or ``interval`` after) the completion, where the people live; the features registered as cycle
hooks then carry over what continues (the indicators and their series)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.hooks import after_next_cycle
from gouvernance.engagements.lookup import log_change
from gouvernance.engagements.records import EngagementRow
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import TransitionResult
from gouvernance.lifecycle.machines import EngagementEvent
from gouvernance.spec.catalog import model_for


def open_next_cycle(session: Session, result: TransitionResult, actor: ActorRef, clock: Clock) -> None:
    """An engagement hook: when a cycle of a recurring journey completes, launches the next one."""
    if result.event != EngagementEvent.COMPLETE.value:
        return
    previous = session.get(EngagementRow, result.engagement_id)
    assert previous is not None
    model = model_for(session, previous.model_key, previous.model_version)
    if model.recurrence is None:
        return
    parameters = dict(previous.parameters)
    counter = model.recurrence.cycle_parameter
    if counter is not None:
        parameters[counter] = int(parameters.get(counter) or 0) + 1
    start = clock.now().astimezone(clock.tz).date() + max(model.recurrence.interval, timedelta(days=1))
    launched = launch(
        session,
        LaunchRequest(
            model,
            Territory(previous.territory_name, previous.territory_kind, previous.territory_insee),
            start,
            parameters,
            previous.lead,
            organisation_id=previous.organisation_id,
        ),
        actor=actor,
        clock=clock,
    )
    following = session.get(EngagementRow, launched.engagement_id)
    assert following is not None
    following.previous_engagement_id = previous.id
    session.flush()
    log_change(
        session,
        previous.id,
        "next_cycle_opened",
        {"engagement_id": following.id, "start_date": start.isoformat(), "parameters": parameters},
        actor,
        clock,
    )
    after_next_cycle(session, previous.id, following.id, actor, clock)
