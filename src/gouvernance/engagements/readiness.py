"""What a transition sets off: the steps that become ready, the stages that complete, the work a review
sends back. Read-only: it returns the follow-on transitions, and the door applies them (without the checks:
they are the engine's own moves), each with its event and outbox row and whatever it sets off in turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.engagements.subject import Subject, load_steps
from gouvernance.lifecycle.machines import TERMINAL_STEP_STATES


@dataclass(frozen=True)
class FollowOn:
    """A transition the engine makes because of another one."""

    subject: Subject
    event: str
    actor: ActorRef
    comment: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StageCompleted:
    """A stage whose last open step just finished: recorded in the history, no row changes state."""

    stage_key: str


def what_follows(
    session: Session,
    subject: Subject,
    event: str,
    actor: ActorRef,
    comment: str | None,
    payload: dict[str, Any] | None = None,
) -> list[FollowOn | StageCompleted]:
    """What the transition just saved on ``subject`` sets off, in the order to apply it."""
    if subject.step is None:
        if event != "activate":
            return []
        opening = [stage.key for stage in subject.model.stages if not stage.after]
        return list(
            _readied(
                session, subject, _stage_steps(session, subject, _through_done(session, subject, opening))
            )
        )
    step, spec = subject.step, subject.step_spec
    assert spec is not None
    follows: list[FollowOn | StageCompleted] = []
    if event == "send_back":
        # The steps the sender chose (checked by the door), or every step the review lists.
        chosen = (payload or {}).get("steps") or spec.sends_back
        follows.extend(
            FollowOn(subject.with_step(target), "reopen", actor, comment, {"sent_back_by": spec.key})
            for target in load_steps(
                session, subject.engagement.id, [k for k in spec.sends_back if k in chosen]
            )
            if target.state == "done"
        )
    if step.state in TERMINAL_STEP_STATES:
        candidates = [
            key
            for key in subject.model.step_dependents[spec.key]
            if _stage_startable(session, subject, subject.model.stage_of_step[key])
        ]
        follows.extend(_readied(session, subject, candidates))
        if _stage_complete(session, subject.engagement.id, step.stage_key):
            follows.append(StageCompleted(step.stage_key))
            next_stages = _through_done(session, subject, subject.model.stage_successors[step.stage_key])
            already = {f.subject.step.step_key for f in follows if isinstance(f, FollowOn) and f.subject.step}
            later = [key for key in _stage_steps(session, subject, next_stages) if key not in already]
            follows.extend(_readied(session, subject, later))
    return follows


def _through_done(session: Session, subject: Subject, stage_keys: Sequence[str]) -> list[str]:
    """``stage_keys`` and, past any of them with nothing left to do (every step skipped because it does not
    apply to this engagement), the stages that follow it: an optional stage left out does not stop the
    journey."""
    found: list[str] = []
    waiting = list(stage_keys)
    while waiting:
        key = waiting.pop(0)
        if key in found:
            continue
        found.append(key)
        if _stage_startable(session, subject, key) and _stage_complete(session, subject.engagement.id, key):
            waiting += subject.model.stage_successors[key]
    return found


def _stage_steps(session: Session, subject: Subject, stage_keys: Sequence[str]) -> list[str]:
    """The steps of those stages that may start (every stage before them complete)."""
    return [
        spec.key
        for stage_key in stage_keys
        if _stage_startable(session, subject, stage_key)
        for spec in subject.model.stages_by_key[stage_key].steps
    ]


def newly_ready(session: Session, subject: Subject, keys: list[str]) -> list[FollowOn]:
    """make_ready for those of ``keys`` (steps just added to a running engagement, by a migration) whose
    stage may start and whose prerequisites are done: what the engine would have done had they been there."""
    model = subject.model
    startable = [key for key in keys if _stage_startable(session, subject, model.stage_of_step[key])]
    return _readied(session, subject, startable)


def _readied(session: Session, subject: Subject, keys: list[str]) -> list[FollowOn]:
    """make_ready for every pending step among ``keys`` whose prerequisite steps are all done or skipped."""
    if not keys:
        return []
    model = subject.model
    prerequisites = {p for key in keys for p in model.step_prerequisites[key]}
    rows = {row.step_key: row for row in load_steps(session, subject.engagement.id, [*keys, *prerequisites])}
    system = ActorRef.system()
    return [
        FollowOn(subject.with_step(rows[key]), "make_ready", system)
        for key in keys
        if key in rows
        and rows[key].state == "pending"
        and all(rows[p].state in TERMINAL_STEP_STATES for p in model.step_prerequisites[key])
    ]


def _stage_startable(session: Session, subject: Subject, stage_key: str) -> bool:
    return all(
        _stage_complete(session, subject.engagement.id, before)
        for before in subject.model.stages_by_key[stage_key].after
    )


def _stage_complete(session: Session, engagement_id: str, stage_key: str) -> bool:
    return session.scalar(_OPEN_STEPS_IN_STAGE, {"engagement_id": engagement_id, "stage_key": stage_key}) == 0


_OPEN_STEPS_IN_STAGE = (
    select(func.count())
    .select_from(StepRow)
    .where(
        StepRow.engagement_id == bindparam("engagement_id"),
        StepRow.stage_key == bindparam("stage_key"),
        StepRow.state.not_in(TERMINAL_STEP_STATES),
    )
)
