"""The door's built-in rules, and what a transition stamps on a step besides its state.

Each rule declares where it applies (the subject: a step or the engagement; the events; the states it
starts from) and returns the reason it refuses, or None. The door runs the applicable ones, in the order
they are declared here, after the machine has allowed the event and before the step's guards. Stamps
are declared the same way: the columns an event (or reaching a state) sets on a step.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from typing import Any, Literal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import SYSTEM_ROLE, ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.engagements.settings import duration_of
from gouvernance.engagements.subject import Subject, load_steps
from gouvernance.errors import Message
from gouvernance.guards.registry import GuardContext, GuardOutcome
from gouvernance.history.records import EventRow
from gouvernance.lifecycle.machines import (
    EVENT_ACTORS,
    EVENT_LABELS,
    EVENTS_NEEDING_REASON,
    LIFECYCLE_BY_KIND,
    TERMINAL_STEP_STATES,
    Actor,
)
from gouvernance.messages import plural
from gouvernance.spec.schema import StepSpec

# Events after which the work goes round again: approvals given before no longer count.
NEW_ROUND_EVENTS = frozenset({"request_rework", "reject", "send_back", "reopen"})
_STEP_EVENTS = frozenset(
    event for lifecycle in LIFECYCLE_BY_KIND.values() for _, event, _ in lifecycle.transitions
)

SubjectKind = Literal["step", "engagement"]


@dataclass(frozen=True)
class Attempt:
    """An event someone tries to send, as the rules see it."""

    session: Session
    subject: Subject
    event: str
    actor: ActorRef
    comment: str | None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Where:
    """Where a rule or a stamp applies; None means everywhere."""

    on: SubjectKind | None = None
    events: frozenset[str] | None = None
    from_states: frozenset[str] | None = None
    to_states: frozenset[str] | None = None

    def covers(self, subject: Subject, event: str, to_state: str | None = None) -> bool:
        return (
            (self.on is None or (subject.step is not None) == (self.on == "step"))
            and (self.events is None or event in self.events)
            and (self.from_states is None or subject.row.state in self.from_states)
            and (self.to_states is None or to_state in self.to_states)
        )


def _frozen(values: Collection[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


Reason = Callable[[Attempt], Message | None]  # None: the rule does not refuse


@dataclass(frozen=True)
class Rule:
    name: str
    where: Where
    reason: Reason


RULES: list[Rule] = []  # in declaration order: the order refusals are reported in


def rule(
    *,
    on: SubjectKind | None = None,
    events: Collection[str] | None = None,
    from_states: Collection[str] | None = None,
) -> Callable[[Reason], Reason]:
    """Declares a built-in rule of the door and where it applies."""

    def register(reason: Reason) -> Reason:
        where = Where(on, _frozen(events), _frozen(from_states))
        RULES.append(Rule(reason.__name__, where, reason))
        return reason

    return register


def rule_refusals(attempt: Attempt) -> list[Message]:
    """The reasons of every applicable rule that refuses the attempt."""
    reasons = (r.reason(attempt) for r in RULES if r.where.covers(attempt.subject, attempt.event))
    return [reason for reason in reasons if reason is not None]


@rule(events=EVENTS_NEEDING_REASON)
def reason_required(attempt: Attempt) -> Message | None:
    if attempt.comment and attempt.comment.strip():
        return None
    return Message(
        "rule.reason_required", "un motif (commentaire) est obligatoire", "a reason (comment) is required"
    )


@rule(on="step", events={"skip"})
def skippable(attempt: Attempt) -> Message | None:
    assert attempt.subject.step_spec is not None
    if attempt.subject.step_spec.skippable:
        return None
    return Message(
        "rule.not_skippable",
        "le modèle ne permet pas de sauter cette étape",
        "the model does not allow skipping this step",
    )


# make_ready is the engine readying steps as the engagement starts: it is exempt.
@rule(on="step", events=_STEP_EVENTS - {"make_ready"})
def engagement_active(attempt: Attempt) -> Message | None:
    state = attempt.subject.engagement.state
    if state == "active":
        return None
    return Message(
        "rule.engagement_not_active",
        f"l'accompagnement n'est pas actif (état « {state} »)",
        f"the engagement is not active (state '{state}')",
    )


@rule(on="step", events={"start"}, from_states={"reopened"})
def prerequisites_redone(attempt: Attempt) -> Message | None:
    """Reopened work starts again in order: after its prerequisites (reopened together by a send-back)."""
    subject = attempt.subject
    assert subject.step_spec is not None
    prerequisites = subject.model.step_prerequisites[subject.step_spec.key]
    waiting = [
        row.step_key
        for row in load_steps(attempt.session, subject.engagement.id, prerequisites)
        if row.state not in TERMINAL_STEP_STATES
    ]
    if not waiting:
        return None
    titles = ", ".join(subject.model.steps_by_key[key].title.fr for key in waiting)
    return Message(
        "rule.prerequisites_open",
        f"à reprendre d'abord : {titles}",
        f"to be redone first: {', '.join(waiting)}",
        details={"waiting_for": waiting},
    )


# Events that accept work under review, and the one that put it there (submit, or closing a consultation).
ACCEPTING_EVENTS = frozenset({"approve", "adopt"})


@rule(on="step", events=ACCEPTING_EVENTS, from_states={"in_review"})
def not_self_approved(attempt: Attempt) -> Message | None:
    """Separation of duties: whoever put the work under review does not accept it too, even when the step's
    role and its reviewer are the same role, unless the template says ``self_approval: allowed``."""
    subject, actor = attempt.subject, attempt.actor
    assert subject.step is not None
    assert subject.step_spec is not None
    if subject.step_spec.self_approval == "allowed" or actor.is_system:
        return None
    submitter = attempt.session.scalar(_LAST_SUBMITTER, {"step_id": subject.step.id})
    if submitter != actor.login:
        return None
    label, label_en = EVENT_LABELS[attempt.event]
    return Message(
        "rule.self_approval",
        f"séparation des tâches : « {label} » revient à une autre personne que celle qui a soumis le "
        f"travail ({actor.login})",
        f"separation of duties: '{label_en}' belongs to someone other than the person who submitted the work "
        f"({actor.login})",
        details={"submitted_by": submitter},
    )


# Who put the step under review: the last event that brought it there (endorsements stay in review).
_LAST_SUBMITTER = (
    select(EventRow.actor)
    .where(
        EventRow.step_id == bindparam("step_id"),
        EventRow.to_state == "in_review",
        EventRow.from_state != "in_review",
    )
    .order_by(EventRow.id.desc())
    .limit(1)
)


@rule(on="step", events={"send_back"})
def chosen_steps_sendable(attempt: Attempt) -> Message | None:
    """The steps a send-back chooses (``payload["steps"]``; every listed one by default) are among those the
    review lists, and done: only finished work can go back for rework."""
    subject = attempt.subject
    assert subject.step_spec is not None
    chosen = attempt.payload.get("steps")
    if chosen is None:
        return None
    listed = subject.step_spec.sends_back
    possible = ", ".join(f"« {key} »" for key in listed)
    if not isinstance(chosen, list) or not chosen or not all(isinstance(key, str) for key in chosen):
        return Message(
            "rule.send_back_steps_invalid",
            f"« steps » doit être une liste non vide de clés d'étapes parmi : {possible}",
            f"'steps' must be a non-empty list of step keys among: {', '.join(listed)}",
            details={"sends_back": list(listed)},
        )
    unknown = [key for key in dict.fromkeys(chosen) if key not in listed]
    if unknown:
        names = ", ".join(f"« {key} »" for key in unknown)
        return Message(
            "rule.send_back_steps_unlisted",
            f"{plural(len(unknown), 'étape', 'étapes')} que cette revue ne peut pas renvoyer : {names} "
            f"(possibles : {possible})",
            f"step(s) this review cannot send back: {', '.join(unknown)} (possible: {', '.join(listed)})",
            details={"unlisted": unknown, "sends_back": list(listed)},
        )
    unfinished = [
        row.step_key
        for row in load_steps(attempt.session, subject.engagement.id, dict.fromkeys(chosen))
        if row.state != "done"
    ]
    if not unfinished:
        return None
    titles = ", ".join(f"« {subject.model.steps_by_key[key].title.fr} »" for key in unfinished)
    return Message(
        "rule.send_back_steps_unfinished",
        f"rien à reprendre : {plural(len(unfinished), 'étape non terminée', 'étapes non terminées')} "
        f"({titles})",
        f"nothing to rework: step(s) not done ({', '.join(unfinished)})",
        details={"unfinished": unfinished},
    )


@rule(on="engagement", events={"complete"})
def steps_finished(attempt: Attempt) -> Message | None:
    open_steps = list(
        attempt.session.scalars(
            select(StepRow.step_key)
            .where(
                StepRow.engagement_id == attempt.subject.engagement.id,
                StepRow.state.not_in(TERMINAL_STEP_STATES),
            )
            .order_by(StepRow.id)
        )
    )
    if not open_steps:
        return None
    return Message(
        "rule.steps_open",
        f"{plural(len(open_steps), 'étape non terminée', 'étapes non terminées')} : "
        f"{', '.join(open_steps[:10])}",
        f"{len(open_steps)} step(s) not finished: {', '.join(open_steps[:10])}",
        details={"open_steps": open_steps},
    )


# --- who may send an event -----------------------------------------------------------------------------


def allowed_roles(subject: Subject, event: str) -> frozenset[str]:
    who = EVENT_ACTORS.get(event, Actor.SYSTEM)
    model, spec = subject.model, subject.step_spec
    if who is Actor.RESPONSIBLE and spec is not None:
        return frozenset({spec.role})
    if who is Actor.REVIEWER and spec is not None:
        return frozenset({model.reviewer_of(spec)})
    if who is Actor.RESPONSIBLE_OR_REVIEWER and spec is not None:
        return frozenset({spec.role, model.reviewer_of(spec)})
    if who is Actor.REOPENER:
        return frozenset(model.reopen_roles)
    if who is Actor.CONTRIBUTOR:
        return frozenset(model.roles_by_key)
    if who is Actor.LEAD:
        return frozenset({"consultant", "chef_de_projet"} & set(model.roles_by_key))
    return frozenset({SYSTEM_ROLE})


def role_refusal(subject: Subject, event: str, actor: ActorRef) -> Message | None:
    """Why the actor may not send the event (a 403, not a refusal of the transition), or None."""
    roles = allowed_roles(subject, event)
    if actor.roles & roles:
        return None
    people = sorted(roles - {SYSTEM_ROLE})
    titles = ", ".join(subject.model.role_title(r) for r in people) or "au moteur lui-même"
    titles_en = ", ".join(subject.model.role_title(r, "en") for r in people) or "the engine itself"
    label, label_en = EVENT_LABELS.get(event, (event, event))
    return Message(
        "transition.role_not_allowed",
        f"rôle non autorisé : « {label} » est réservé à {titles}",
        f"role not allowed: '{label_en}' is reserved to {titles_en}",
        details={"event": event, "allowed_roles": sorted(roles), "actor_roles": sorted(actor.roles)},
    )


# --- the step's guards ---------------------------------------------------------------------------------


def evaluate_guards(
    session: Session, subject: Subject, event: str, actor: ActorRef, clock: Clock, payload: dict[str, Any]
) -> list[GuardOutcome]:
    """The outcome of each of the step's guards on ``event``, passed or not."""
    if subject.step_spec is None:
        return []
    guards = [g for g in subject.step_spec.compiled_guards if g.applies_to(event)]
    if not guards:
        return []
    ctx = GuardContext(
        session=session,
        model=subject.model,
        engagement=subject.engagement,
        step=subject.step,
        step_spec=subject.step_spec,
        event=event,
        actor=actor.login,
        actor_roles=actor.roles,
        payload=payload,
        clock=clock,
    )
    return [guard.evaluate(ctx) for guard in guards]


# --- stamps: the columns a transition changes besides ``state`` ----------------------------------------


# (step, spec, subject, now, the people's timezone) -> {column: new value}
Columns = Callable[[StepRow, StepSpec, Subject, datetime, tzinfo], dict[str, Any]]


@dataclass(frozen=True)
class Stamp:
    name: str
    where: Where
    columns: Columns


STAMPS: list[Stamp] = []  # in declaration order: a later stamp overrides an earlier one's column


def stamp(
    *, events: Collection[str] | None = None, to_states: Collection[str] | None = None
) -> Callable[[Columns], Columns]:
    """Declares the columns a step transition sets, for some events or on reaching some states."""

    def register(columns: Columns) -> Columns:
        STAMPS.append(
            Stamp(columns.__name__, Where("step", _frozen(events), None, _frozen(to_states)), columns)
        )
        return columns

    return register


def stamped(subject: Subject, event: str, new_state: str, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """Every column the transition changes besides ``state``: timestamps, due dates, rounds."""
    changes: dict[str, Any] = {"updated_at": now}
    step, spec = subject.step, subject.step_spec
    if step is None or spec is None:
        return changes
    for entry in STAMPS:
        if entry.where.covers(subject, event, new_state):
            changes.update(entry.columns(step, spec, subject, now, tz))
    return changes


@stamp(events={"make_ready"})
def readied(step: StepRow, spec: StepSpec, subject: Subject, now: datetime, tz: tzinfo) -> dict[str, Any]:
    # Work on a journey starts at 9:00 on its start date, where its people live (the clock's timezone).
    ready_at = max(now, datetime.combine(subject.engagement.start_date, time(9, 0), tzinfo=tz))
    duration = duration_of(subject.engagement.parameters, spec.duration)  # the engagement's duration scale
    return {"ready_at": ready_at, "due_at": ready_at + duration, "completed_at": None}


@stamp(events={"start"})
def started(step: StepRow, spec: StepSpec, subject: Subject, now: datetime, tz: tzinfo) -> dict[str, Any]:
    changes: dict[str, Any] = {"started_at": now, "completed_at": None}
    if step.due_at is None or step.completed_at is not None:  # reopened work gets a new due date
        changes["due_at"] = now + duration_of(subject.engagement.parameters, spec.duration)
    return changes


@stamp(to_states=TERMINAL_STEP_STATES)
def completed(step: StepRow, spec: StepSpec, subject: Subject, now: datetime, tz: tzinfo) -> dict[str, Any]:
    return {"completed_at": now}


@stamp(events=NEW_ROUND_EVENTS)
def new_round(step: StepRow, spec: StepSpec, subject: Subject, now: datetime, tz: tzinfo) -> dict[str, Any]:
    return {"round": step.round + 1}
