"""The one door: every state change of a step or an engagement goes through ``transition``.

In the caller's transaction it loads the subject, checks the expected version, the actor's role, the
machine, the built-in rules (``rules``) and the step's guards, sends the event, writes the new state with
a versioned UPDATE, appends an immutable event row and an outbox row, then applies what readiness says
follows (``readiness``). No other code writes a ``state`` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gouvernance.audit import chain
from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.hooks import after_engagement_transition
from gouvernance.engagements.readiness import FollowOn, StageCompleted, what_follows
from gouvernance.engagements.rules import (
    Attempt,
    allowed_roles,
    evaluate_guards,
    role_refusal,
    rule_refusals,
    stamped,
)
from gouvernance.engagements.saving import record_stage_completed, save, versioned_update
from gouvernance.engagements.subject import Subject, load_subject
from gouvernance.errors import Conflict, Forbidden, Message, TransitionRefused
from gouvernance.guards.registry import GuardOutcome
from gouvernance.lifecycle.machines import EVENT_LABELS, machine_events, restored


@dataclass
class TransitionResult:
    engagement_id: str
    step_key: str | None
    event: str
    from_state: str
    to_state: str
    version: int
    event_id: int
    followed_by: list[TransitionResult] = field(default_factory=list)

    def all(self) -> list[TransitionResult]:
        """This transition and every one it set off, in order."""
        results = [self]
        for result in self.followed_by:
            results.extend(result.all())
        return results


@dataclass(frozen=True)
class Verdict:
    """What the door thinks of an event now: a role refusal (403), every other reason it would refuse
    (422), and the outcome of each of the step's guards, passed or not."""

    event: str
    forbidden: Message | None = None
    refusals: tuple[Message, ...] = ()
    guards: tuple[GuardOutcome, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.forbidden is None and not self.refusals


def transition(
    session: Session,
    *,
    engagement_id: str,
    step_key: str | None,
    event: str,
    actor: ActorRef,
    clock: Clock,
    expected_version: int | None = None,
    comment: str | None = None,
    payload: dict[str, Any] | None = None,
) -> TransitionResult:
    """Apply ``event`` to a step (or to the engagement when ``step_key`` is None). Raises NotFound,
    Conflict (stale version), Forbidden (role) or TransitionRefused (state machine or guards); the caller's
    transaction then rolls back and nothing is written."""
    # Transitions of one engagement take turns from here: its row's lock comes before any other row's.
    subject = load_subject(session, engagement_id, step_key, lock=True)
    assert subject.chain_head is not None
    chain.remember(session, engagement_id, *subject.chain_head)
    if expected_version is not None and subject.row.version != expected_version:
        raise stale(subject, expected_version)
    verdict = check(session, subject, event, actor, clock, comment=comment, payload=payload or {})
    if verdict.forbidden is not None:
        raise Forbidden(verdict.forbidden)
    if verdict.refusals:
        raise refused(subject, event, list(verdict.refusals))
    row = subject.row
    read_state, read_version = row.state, row.version
    try:
        result = _apply(session, subject, event, actor, clock, comment=comment, payload=payload or {})
    except StaleDataError:
        # Another transaction changed a row between our read and our write (PostgreSQL, READ COMMITTED).
        if row.version == read_version:  # this very row: read it again to report the state that won
            session.refresh(row)
            raise stale(subject, expected_version) from None
        # A row it set off: this one holds our own write, undone with the transaction; it stands as read.
        raise _stale(read_state, read_version, expected_version) from None
    if step_key is None:
        after_engagement_transition(session, result, actor, clock)
    return result


def apply_engine_moves(session: Session, moves: list[FollowOn], clock: Clock) -> list[TransitionResult]:
    """The engine's own moves (readiness after a migration…), applied as the door applies what follows a
    transition: without the checks, each with its event, outbox row and whatever it sets off in turn."""
    return [
        _apply(
            session, move.subject, move.event, move.actor, clock, comment=move.comment, payload=move.payload
        )
        for move in moves
    ]


def stale(subject: Subject, expected: int | None) -> Conflict:
    """The conflict of a stale version, reporting the subject's current state and version."""
    return _stale(subject.row.state, subject.row.version, expected)


def _stale(state: str, version: int, expected: int | None) -> Conflict:
    return Conflict(
        Message(
            "transition.stale_version",
            f"Version périmée : attendu {expected}, actuelle {version} (état « {state} »). "
            "Rechargez puis réessayez.",
            f"Stale version: expected {expected}, current {version} (state '{state}'). Reload and retry.",
            details={"current_version": version, "current_state": state, "expected_version": expected},
        )
    )


def refused(subject: Subject, event: str, refusals: list[Message]) -> TransitionRefused:
    label_fr, label_en = EVENT_LABELS.get(event, (event, event))
    what = f"l'étape « {subject.step.step_key} »" if subject.step else "l'accompagnement"
    what_en = f"step '{subject.step.step_key}'" if subject.step else "the engagement"
    reasons_fr = " ; ".join(m.fr for m in refusals)
    reasons_en = "; ".join(m.en for m in refusals)
    return TransitionRefused(
        Message(
            "transition.refused",
            f"« {label_fr} » refusé pour {what} : {reasons_fr}",
            f"'{label_en}' refused for {what_en}: {reasons_en}",
            details={"event": event, "state": subject.row.state},
        ),
        reasons=refusals,
    )


def check(
    session: Session,
    subject: Subject,
    event: str,
    actor: ActorRef,
    clock: Clock,
    *,
    comment: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Verdict:
    """Every reason ``event`` cannot happen now, and the guards' outcomes. Used by the door and by the
    listings that tell a user what they may do next and why not."""
    known = machine_events(subject.machine_class)
    if event not in known:
        return Verdict(event, refusals=(_unknown_event(event, known),))
    forbidden = role_refusal(subject, event, actor)
    with restored(subject.machine_class, subject.row.state) as machine:
        allowed = {e.id for e in machine.allowed_events}
    if event not in allowed:
        return Verdict(event, forbidden, (_not_allowed(subject, allowed),))
    refusals = rule_refusals(Attempt(session, subject, event, actor, comment, payload or {}))
    guards = tuple(evaluate_guards(session, subject, event, actor, clock, payload or {}))
    refusals.extend(outcome.message for outcome in guards if not outcome.passed)
    return Verdict(event, forbidden, tuple(refusals), guards)


def _unknown_event(event: str, known: tuple[str, ...]) -> Message:
    return Message(
        "transition.unknown_event",
        f"événement inconnu « {event} » (possibles : {', '.join(sorted(known))})",
        f"unknown event '{event}' (known: {', '.join(sorted(known))})",
        details={"known_events": sorted(known)},
    )


def _not_allowed(subject: Subject, allowed: set[str]) -> Message:
    state, possible = subject.row.state, sorted(allowed)
    return Message(
        "transition.not_allowed",
        f"impossible depuis l'état « {state} » (possibles : {', '.join(possible) or 'aucun'})",
        f"not possible from state '{state}' (possible: {', '.join(possible) or 'none'})",
        details={"state": state, "allowed_events": possible},
    )


def _apply(
    session: Session,
    subject: Subject,
    event: str,
    actor: ActorRef,
    clock: Clock,
    *,
    comment: str | None,
    payload: dict[str, Any],
) -> TransitionResult:
    """Sends the event, saves the row with its event and outbox rows, then applies what follows."""
    row = subject.row
    now = clock.now()
    from_state = row.state
    with restored(subject.machine_class, from_state) as machine:
        machine.send(event)
        new_state = machine.model.state
    update, values = versioned_update(
        row, {"state": new_state, **stamped(subject, event, new_state, now, clock.tz)}
    )
    if subject.step is not None:
        payload = {**payload, "round": values["round"]}  # approvals count within a round (ApprovedBy)
    event_id = save(
        session,
        row,
        update,
        values,
        {
            "engagement_id": subject.engagement.id,
            "step": subject.step,
            "event": event,
            "from_state": from_state,
            "to_state": new_state,
            "actor": actor.login,
            "actor_role": _acting_role(subject, event, actor),
            "at": now,
            "comment": comment,
            "payload": payload,
            "version": values["version"],
            "topic": f"{'step' if subject.step else 'engagement'}.{event}",
            "extra_outbox": _outbox_extras(subject),
        },
    )
    step_key = subject.step.step_key if subject.step else None
    result = TransitionResult(
        subject.engagement.id, step_key, event, from_state, row.state, values["version"], event_id
    )
    for follow in what_follows(session, subject, event, actor, comment, payload):
        if isinstance(follow, StageCompleted):
            record_stage_completed(session, subject.engagement.id, follow.stage_key, clock)
        else:
            result.followed_by.append(
                _apply(
                    session,
                    follow.subject,
                    follow.event,
                    follow.actor,
                    clock,
                    comment=follow.comment,
                    payload=follow.payload,
                )
            )
    return result


def _acting_role(subject: Subject, event: str, actor: ActorRef) -> str | None:
    if actor.is_system:
        return "system"
    usable = sorted(actor.roles & allowed_roles(subject, event))
    return usable[0] if usable else None


def _outbox_extras(subject: Subject) -> dict[str, Any]:
    if subject.step_spec is None:
        return {}
    return {
        "produces": list(subject.step_spec.deliverables.produces),
        "stage_key": subject.step.stage_key if subject.step else None,
    }
