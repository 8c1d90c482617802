"""The one door: every state change of a step or an engagement goes through ``transition``.

In the caller's transaction it loads the row, rebuilds its state machine, checks the expected version, the
actor's role and the guards, sends the event, appends an immutable event row and an outbox row, then lets
readiness flow on to the steps that were waiting. No other code writes a ``state`` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from typing import Any, cast

from sqlalchemy import CursorResult, Table, Update, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from statemachine import StateMachine

from gouvernance.clock import Clock
from gouvernance.engagements.actors import SYSTEM_ROLE, ActorRef
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.errors import Conflict, Forbidden, Message, NotFound, TransitionRefused
from gouvernance.guards.registry import GuardContext, GuardOutcome
from gouvernance.history.log import append_event, update_and_append_event
from gouvernance.lifecycle.machines import (
    EVENT_ACTORS,
    EVENT_LABELS,
    EVENTS_NEEDING_REASON,
    MACHINE_BY_KIND,
    TERMINAL_STEP_STATES,
    Actor,
    EngagementMachine,
    machine_events,
    restored,
)
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import ProcessModel, StepSpec

# Events after which the work goes round again: approvals given before no longer count.
_NEW_ROUND_EVENTS = frozenset({"request_rework", "reject", "send_back", "reopen"})


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


@dataclass
class _Subject:
    """The row a transition applies to, with what the checks need to know about it."""

    engagement: EngagementRow
    model: ProcessModel
    step: StepRow | None = None
    step_spec: StepSpec | None = None

    @property
    def row(self) -> EngagementRow | StepRow:
        return self.step if self.step is not None else self.engagement

    @property
    def machine_class(self) -> type[StateMachine]:
        return MACHINE_BY_KIND[self.step.kind] if self.step is not None else EngagementMachine


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
    subject = load_subject(session, engagement_id, step_key)
    if expected_version is not None and subject.row.version != expected_version:
        raise stale(subject, expected_version)
    refusals, forbidden = check(session, subject, event, actor, clock, comment=comment, payload=payload or {})
    if forbidden is not None:
        raise Forbidden(forbidden)
    if refusals:
        raise refused(subject, event, refusals)
    try:
        return _apply(session, subject, event, actor, clock, comment=comment, payload=payload or {})
    except StaleDataError:
        # Another transaction changed the row between our read and our write (PostgreSQL, READ COMMITTED):
        # read it again so the conflict reports the state and version that won.
        session.refresh(subject.row)
        raise stale(subject, expected_version) from None


def load_subject(session: Session, engagement_id: str, step_key: str | None) -> _Subject:
    if step_key is not None:
        # The common case in one round trip: the step and its engagement together.
        found = session.execute(
            _STEP_AND_ENGAGEMENT, {"engagement_id": engagement_id, "step_key": step_key}
        ).first()
        if found is not None:
            step_row, engagement_row = found
            model = model_for(session, engagement_row.model_key, engagement_row.model_version)
            return _Subject(engagement_row, model, step_row, model.steps_by_key[step_key])
    engagement = session.get(EngagementRow, engagement_id)
    if engagement is None:
        raise NotFound(
            Message(
                "engagement.not_found",
                f"Accompagnement introuvable : {engagement_id}",
                f"Engagement not found: {engagement_id}",
                details={"engagement_id": engagement_id},
            )
        )
    if step_key is None:
        return _Subject(engagement, model_for(session, engagement.model_key, engagement.model_version))
    # The engagement exists, so the step does not.
    raise NotFound(
        Message(
            "step.not_found",
            f"Étape introuvable : « {step_key} »",
            f"Step not found: '{step_key}'",
            details={"step_key": step_key},
        )
    )


def stale(subject: _Subject, expected: int | None) -> Conflict:
    row = subject.row
    return Conflict(
        Message(
            "transition.stale_version",
            f"Version périmée : attendu {expected}, actuelle {row.version} (état « {row.state} »). "
            "Rechargez puis réessayez.",
            f"Stale version: expected {expected}, current {row.version} (state '{row.state}'). "
            "Reload and retry.",
            details={
                "current_version": row.version,
                "current_state": row.state,
                "expected_version": expected,
            },
        )
    )


def refused(subject: _Subject, event: str, refusals: list[Message]) -> TransitionRefused:
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
    subject: _Subject,
    event: str,
    actor: ActorRef,
    clock: Clock,
    *,
    comment: str | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[list[Message], Message | None]:
    """Every reason ``event`` cannot happen now: (refusals, role refusal). Used by the door and by the
    listings that tell a user what they may do next and why not."""
    with restored(subject.machine_class, subject.row.state) as machine:
        allowed = {e.id for e in machine.allowed_events}
    known = set(machine_events(subject.machine_class))
    if event not in known:
        return [
            Message(
                "transition.unknown_event",
                f"événement inconnu « {event} » (possibles : {', '.join(sorted(known))})",
                f"unknown event '{event}' (known: {', '.join(sorted(known))})",
                details={"known_events": sorted(known)},
            )
        ], None
    forbidden = _role_refusal(subject, event, actor)
    refusals: list[Message] = []
    if event not in allowed:
        refusals.append(
            Message(
                "transition.not_allowed",
                f"impossible depuis l'état « {subject.row.state} » "
                f"(possibles : {', '.join(sorted(allowed)) or 'aucun'})",
                f"not possible from state '{subject.row.state}' "
                f"(possible: {', '.join(sorted(allowed)) or 'none'})",
                details={"state": subject.row.state, "allowed_events": sorted(allowed)},
            )
        )
        return refusals, forbidden
    refusals.extend(_rule_refusals(subject, event, comment))
    refusals.extend(
        o.message
        for o in evaluate_guards(session, subject, event, actor, clock, payload or {})
        if not o.passed
    )
    return refusals, forbidden


def evaluate_guards(
    session: Session, subject: _Subject, event: str, actor: ActorRef, clock: Clock, payload: dict[str, Any]
) -> list[GuardOutcome]:
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


def allowed_roles(subject: _Subject, event: str) -> frozenset[str]:
    who = EVENT_ACTORS.get(event, Actor.SYSTEM)
    model, spec = subject.model, subject.step_spec
    if who is Actor.RESPONSIBLE and spec is not None:
        return frozenset({spec.role})
    if who is Actor.REVIEWER and spec is not None:
        return frozenset({model.reviewer_of(spec)})
    if who is Actor.REOPENER:
        return frozenset(model.reopen_roles)
    if who is Actor.CONTRIBUTOR:
        return frozenset(model.roles_by_key)
    if who is Actor.LEAD:
        return frozenset({"consultant", "chef_de_projet"} & set(model.roles_by_key))
    return frozenset({SYSTEM_ROLE})


def _role_refusal(subject: _Subject, event: str, actor: ActorRef) -> Message | None:
    roles = allowed_roles(subject, event)
    if actor.roles & roles:
        return None
    people = sorted(roles - {SYSTEM_ROLE})
    titles = ", ".join(subject.model.role_title(r) for r in people) or "au moteur lui-même"
    titles_en = ", ".join(subject.model.role_title(r, "en") for r in people) or "the engine itself"
    return Message(
        "transition.role_not_allowed",
        f"rôle non autorisé : « {event} » est réservé à {titles}",
        f"role not allowed: '{event}' is reserved to {titles_en}",
        details={"allowed_roles": sorted(roles), "actor_roles": sorted(actor.roles)},
    )


def _rule_refusals(subject: _Subject, event: str, comment: str | None) -> list[Message]:
    refusals = []
    if event in EVENTS_NEEDING_REASON and not (comment and comment.strip()):
        refusals.append(
            Message(
                "rule.reason_required",
                "un motif (commentaire) est obligatoire",
                "a reason (comment) is required",
            )
        )
    if event == "skip" and subject.step_spec is not None and not subject.step_spec.skippable:
        refusals.append(
            Message(
                "rule.not_skippable",
                "le modèle ne permet pas de sauter cette étape",
                "the model does not allow skipping this step",
            )
        )
    if subject.step is not None and event != "make_ready" and subject.engagement.state != "active":
        refusals.append(
            Message(
                "rule.engagement_not_active",
                f"l'accompagnement n'est pas actif (état « {subject.engagement.state} »)",
                f"the engagement is not active (state '{subject.engagement.state}')",
            )
        )
    if subject.step is not None and event == "start" and subject.step.state == "reopened":
        refusals.extend(_open_prerequisites(subject))
    if subject.step is None and event == "complete":
        open_steps = _open_step_keys(subject)
        if open_steps:
            refusals.append(
                Message(
                    "rule.steps_open",
                    f"{len(open_steps)} étape(s) non terminée(s) : {', '.join(open_steps[:10])}",
                    f"{len(open_steps)} step(s) not finished: {', '.join(open_steps[:10])}",
                    details={"open_steps": open_steps},
                )
            )
    return refusals


def _open_prerequisites(subject: _Subject) -> list[Message]:
    """Reopened work starts again in order: after its prerequisites (reopened together by a send-back)."""
    assert subject.step_spec is not None
    session = Session.object_session(subject.engagement)
    assert session is not None
    waiting = [
        row.step_key
        for row in _steps(
            session, subject.engagement.id, subject.model.step_prerequisites[subject.step_spec.key]
        )
        if row.state not in TERMINAL_STEP_STATES
    ]
    if not waiting:
        return []
    titles = ", ".join(subject.model.steps_by_key[key].title.fr for key in waiting)
    return [
        Message(
            "rule.prerequisites_open",
            f"à reprendre d'abord : {titles}",
            f"to be redone first: {', '.join(waiting)}",
            details={"waiting_for": waiting},
        )
    ]


def _open_step_keys(subject: _Subject) -> list[str]:
    session = Session.object_session(subject.engagement)
    assert session is not None
    return list(
        session.scalars(
            select(StepRow.step_key)
            .where(StepRow.engagement_id == subject.engagement.id, StepRow.state.not_in(TERMINAL_STEP_STATES))
            .order_by(StepRow.id)
        )
    )


def _apply(
    session: Session,
    subject: _Subject,
    event: str,
    actor: ActorRef,
    clock: Clock,
    *,
    comment: str | None,
    payload: dict[str, Any],
) -> TransitionResult:
    row = subject.row
    now = clock.now()
    from_state = row.state
    with restored(subject.machine_class, from_state) as machine:
        machine.send(event)
        new_state = machine.model.state
    update, values = _versioned_update(
        row, {"state": new_state, **_stamp(subject, event, new_state, now, clock.tz)}
    )
    new_version = values["version"]
    if subject.step is not None:
        payload = {**payload, "round": values["round"]}  # approvals count within a round (ApprovedBy)
    event_fields: dict[str, Any] = {
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
        "version": new_version,
        "topic": f"{'step' if subject.step else 'engagement'}.{event}",
        "extra_outbox": _outbox_extras(subject),
    }
    event_id = _save(session, row, update, values, event_fields)
    result = TransitionResult(
        subject.engagement.id,
        subject.step.step_key if subject.step else None,
        event,
        from_state,
        row.state,
        new_version,
        event_id,
    )
    result.followed_by.extend(_follow_on(session, subject, event, actor, clock, comment))
    return result


# The columns a transition may change, per table. Every UPDATE sets all of them (unchanged ones to their
# current value) so that the statement is the same each time and compiled once.
_TRANSITION_COLUMNS: dict[Any, tuple[str, ...]] = {
    StepRow.__table__: ("state", "updated_at", "ready_at", "due_at", "started_at", "completed_at", "round"),
    EngagementRow.__table__: ("state", "updated_at"),
}
_UPDATES = {
    table: update(table)
    .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_read_version"))
    .values({name: bindparam(name) for name in (*columns, "version")})
    for table, columns in _TRANSITION_COLUMNS.items()
}


def _versioned_update(row: EngagementRow | StepRow, changes: dict[str, Any]) -> tuple[Update, dict[str, Any]]:
    """``UPDATE … SET … WHERE id = :_id AND version = :_read_version`` for a transition's changes, and its
    parameters (``version`` is the new one)."""
    table = cast(Table, type(row).__table__)
    columns = _TRANSITION_COLUMNS[table]
    assert changes.keys() <= set(columns), f"not a transition column: {set(changes) - set(columns)}"
    values = {name: changes[name] if name in changes else getattr(row, name) for name in columns}
    values.update(version=row.version + 1, _id=row.id, _read_version=row.version)
    return _UPDATES[table], values


def _save(
    session: Session,
    row: EngagementRow | StepRow,
    update: Update,
    values: dict[str, Any],
    event_fields: dict[str, Any],
) -> int:
    """Runs the versioned UPDATE, then appends the event and its outbox row; returns the event id. Issued
    directly rather than through the unit of work (this is every transition's hot path): the ORM object is
    then given the stored values without being marked dirty. Raises StaleDataError, with nothing written,
    when another transaction changed the row since we read it."""
    event_id: int | None
    if session.get_bind().dialect.name == "postgresql":
        # The UPDATE, the event and its outbox row in one statement: one round trip instead of two.
        event_id = update_and_append_event(session, update, values, **event_fields)
    else:
        result: CursorResult[Any] = session.execute(update, values)  # type: ignore[assignment]
        event_id = append_event(session, **event_fields) if result.rowcount == 1 else None
    if event_id is None:
        raise StaleDataError(f"{type(row).__tablename__} {row.id} changed since version {row.version}")
    for name, value in values.items():
        if not name.startswith("_"):  # _id, _read_version: the WHERE clause's parameters
            set_committed_value(row, name, value)
    return event_id


def _stamp(subject: _Subject, event: str, new_state: str, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """The columns a transition changes besides ``state``: timestamps, due dates, rounds."""
    changes: dict[str, Any] = {"updated_at": now}
    step, spec = subject.step, subject.step_spec
    if step is None or spec is None:
        return changes
    if event == "make_ready":
        ready_at = max(now, _start_instant(subject.engagement, tz))
        changes.update(ready_at=ready_at, due_at=ready_at + spec.duration, completed_at=None)
    elif event == "start":
        changes.update(started_at=now, completed_at=None)
        if step.due_at is None or step.completed_at is not None:  # reopened work gets a new due date
            changes["due_at"] = now + spec.duration
    if new_state in TERMINAL_STEP_STATES:
        changes["completed_at"] = now
    if event in _NEW_ROUND_EVENTS:
        changes["round"] = step.round + 1
    return changes


def _start_instant(engagement: EngagementRow, tz: tzinfo) -> datetime:
    # Work on a journey starts at 9:00 on its start date, local time (the clock's timezone).
    return datetime.combine(engagement.start_date, time(9, 0), tzinfo=tz)


def _acting_role(subject: _Subject, event: str, actor: ActorRef) -> str | None:
    if actor.is_system:
        return "system"
    usable = sorted(actor.roles & allowed_roles(subject, event))
    return usable[0] if usable else None


def _outbox_extras(subject: _Subject) -> dict[str, Any]:
    if subject.step_spec is None:
        return {}
    return {
        "produces": list(subject.step_spec.deliverables.produces),
        "stage_key": subject.step.stage_key if subject.step else None,
    }


# --- readiness: what a transition sets off -------------------------------------------------------------


def _follow_on(
    session: Session, subject: _Subject, event: str, actor: ActorRef, clock: Clock, comment: str | None
) -> list[TransitionResult]:
    results: list[TransitionResult] = []
    if subject.step is None:
        if event == "activate":
            results.extend(_ready_startable_stages(session, subject, clock))
        return results
    step, spec = subject.step, subject.step_spec
    assert spec is not None
    if event == "send_back":
        results.extend(_reopen_sent_back(session, subject, spec, actor, clock, comment))
    if step.state in TERMINAL_STEP_STATES:
        results.extend(_ready_dependents(session, subject, spec.key, clock))
        if _stage_complete(session, subject.engagement.id, step.stage_key):
            _record_stage_completed(session, subject, step.stage_key, clock)
            for next_stage in subject.model.stage_successors[step.stage_key]:
                results.extend(_ready_stage(session, subject, next_stage, clock))
    return results


def _reopen_sent_back(
    session: Session, subject: _Subject, spec: StepSpec, actor: ActorRef, clock: Clock, comment: str | None
) -> list[TransitionResult]:
    results = []
    for target in _steps(session, subject.engagement.id, spec.sends_back):
        if target.state == "done":
            target_subject = _Subject(
                subject.engagement, subject.model, target, subject.model.steps_by_key[target.step_key]
            )
            results.append(
                _apply(
                    session,
                    target_subject,
                    "reopen",
                    actor,
                    clock,
                    comment=comment,
                    payload={"sent_back_by": spec.key},
                )
            )
    return results


def _ready_startable_stages(session: Session, subject: _Subject, clock: Clock) -> list[TransitionResult]:
    results = []
    for stage in subject.model.stages:
        if not stage.after:
            results.extend(_ready_stage(session, subject, stage.key, clock))
    return results


def _ready_stage(session: Session, subject: _Subject, stage_key: str, clock: Clock) -> list[TransitionResult]:
    if not _stage_startable(session, subject, stage_key):
        return []
    keys = [s.key for s in subject.model.stages_by_key[stage_key].steps]
    return _make_ready(session, subject, keys, clock)


def _ready_dependents(
    session: Session, subject: _Subject, step_key: str, clock: Clock
) -> list[TransitionResult]:
    candidates = [
        key
        for key in subject.model.step_dependents[step_key]
        if _stage_startable(session, subject, subject.model.stage_of_step[key])
    ]
    return _make_ready(session, subject, candidates, clock)


def _make_ready(session: Session, subject: _Subject, keys: list[str], clock: Clock) -> list[TransitionResult]:
    """make_ready every pending step among ``keys`` whose prerequisite steps are all done or skipped."""
    if not keys:
        return []
    model = subject.model
    prerequisites = {p for key in keys for p in model.step_prerequisites[key]}
    rows = {row.step_key: row for row in _steps(session, subject.engagement.id, [*keys, *prerequisites])}
    results = []
    system = ActorRef.system()
    for key in keys:
        row = rows.get(key)
        if row is None or row.state != "pending":
            continue
        if all(rows[p].state in TERMINAL_STEP_STATES for p in model.step_prerequisites[key]):
            step_subject = _Subject(subject.engagement, model, row, model.steps_by_key[key])
            results.append(
                _apply(session, step_subject, "make_ready", system, clock, comment=None, payload={})
            )
    return results


def _stage_startable(session: Session, subject: _Subject, stage_key: str) -> bool:
    return all(
        _stage_complete(session, subject.engagement.id, before)
        for before in subject.model.stages_by_key[stage_key].after
    )


def _stage_complete(session: Session, engagement_id: str, stage_key: str) -> bool:
    return session.scalar(_OPEN_STEPS_IN_STAGE, {"engagement_id": engagement_id, "stage_key": stage_key}) == 0


def _record_stage_completed(session: Session, subject: _Subject, stage_key: str, clock: Clock) -> None:
    append_event(
        session,
        engagement_id=subject.engagement.id,
        step=None,
        event="stage_completed",
        from_state=None,
        to_state=None,
        actor=ActorRef.system().login,
        actor_role="system",
        at=clock.now(),
        comment=None,
        payload={"stage_key": stage_key},
        version=None,
        topic="stage.completed",
        extra_outbox={"stage_key": stage_key},
    )


def _steps(session: Session, engagement_id: str, keys: Any) -> list[StepRow]:
    keys = list(keys)
    if not keys:
        return []
    rows = session.scalars(_STEPS_BY_KEY, {"engagement_id": engagement_id, "keys": keys})
    order = {key: index for index, key in enumerate(keys)}
    # In the order asked for (the model's order), whatever order the database returns them in.
    return sorted(rows, key=lambda row: order[row.step_key])


# Statements on every transition's path are built once: SQLAlchemy then finds them compiled in its cache.
_STEP_AND_ENGAGEMENT = (
    select(StepRow, EngagementRow)
    .join(EngagementRow, EngagementRow.id == StepRow.engagement_id)
    .where(StepRow.engagement_id == bindparam("engagement_id"), StepRow.step_key == bindparam("step_key"))
)
_OPEN_STEPS_IN_STAGE = (
    select(func.count())
    .select_from(StepRow)
    .where(
        StepRow.engagement_id == bindparam("engagement_id"),
        StepRow.stage_key == bindparam("stage_key"),
        StepRow.state.not_in(TERMINAL_STEP_STATES),
    )
)
_STEPS_BY_KEY = select(StepRow).where(
    StepRow.engagement_id == bindparam("engagement_id"),
    StepRow.step_key.in_(bindparam("keys", expanding=True)),
)
