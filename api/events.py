"""Sending an event through the one door, for a step or for the engagement itself."""

from typing import Any

from fastapi import Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from gouvernance.api.context import ApiContext
from gouvernance.api.http import etag, json_response
from gouvernance.api.permissions import Access
from gouvernance.api.writes import Writes
from gouvernance.engagements.transitions import TransitionResult, transition


class Change(BaseModel):
    engagement_id: str
    step_key: str | None
    event: str
    from_state: str
    to_state: str
    version: int
    event_id: int


class TransitionOut(Change):
    """The transition, then every change it set off (steps becoming ready, reopened work…)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "engagement_id": "6f1c2a9e-4b7d-4d0e-9a51-3c2f8e7d1b20",
                    "step_key": "cadrage_accompagnement",
                    "event": "start",
                    "from_state": "ready",
                    "to_state": "in_progress",
                    "version": 3,
                    "event_id": 42,
                    "then": [],
                }
            ]
        }
    )

    then: list[Change]


def transition_out(result: TransitionResult) -> TransitionOut:
    first, *rest = (_change(item) for item in result.all())
    return TransitionOut(**first.model_dump(), then=rest)


def _change(result: TransitionResult) -> Change:
    return Change(
        engagement_id=result.engagement_id,
        step_key=result.step_key,
        event=result.event,
        from_state=result.from_state,
        to_state=result.to_state,
        version=result.version,
        event_id=result.event_id,
    )


def send_event(
    context: ApiContext,
    writes: Writes,
    access: Access,
    *,
    engagement_id: str,
    step_key: str | None,
    event: str,
    expected_version: int | None,
    comment: str | None,
    payload: dict[str, Any],
) -> Response:
    """200 with the transition and the new ETag; the door's refusals surface as 403, 409 or 422 (a stale
    version's 409 reports the state and version that won, as the door read them)."""

    def work(session: Session) -> Response:
        result = transition(
            session,
            engagement_id=engagement_id,
            step_key=step_key,
            event=event,
            actor=access.actor,
            clock=context.clock,
            expected_version=expected_version,
            comment=comment,
            payload=payload,
        )
        return json_response(transition_out(result), headers={"ETag": etag(result.version)})

    request = {"if_match": expected_version, "event": event, "comment": comment, "data": payload}
    return writes.run(access.user.login, request, work)
