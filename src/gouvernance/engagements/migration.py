"""Moving a running engagement to another version of its process model, as Camunda and Flowable migrate
process instances: a plan first, step by step, then the move in one transaction, recorded as an event.

Steps are matched by key:
- a step in both versions keeps its state, its round, its dates and its history; its stage, role and kind
  follow the new version;
- a step only in the new version is added, pending, and becomes ready at once (through the door, with its
  event) when its stage may start and its prerequisites are done;
- a step only in the old version is removed, which is allowed only while it has no history at all (pending,
  never sent an event): removing anything else would lose what happened on it.

The move is refused, naming each blocking step, when history or the current position would be lost:
- a removed step with history (done, started, ready…);
- a step under way (started, in review, reopened) that would move to another stage;
- a step whose kind changes after it has started (its lifecycle would change under it);
- an engagement that is over (completed or cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.engagements.readiness import newly_ready
from gouvernance.engagements.records import EngagementRow, ProcessModelRow, StepRow
from gouvernance.engagements.subject import load_subject
from gouvernance.engagements.transitions import TransitionResult, apply_engine_moves
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound
from gouvernance.history.records import EventRow
from gouvernance.lifecycle.machines import EngagementState
from gouvernance.messages import engagement_not_found, plural
from gouvernance.spec.catalog import Catalog, model_for, snapshot
from gouvernance.spec.diff import StepChange, diff_models
from gouvernance.spec.schedule import not_applicable_steps
from gouvernance.spec.schema import ProcessModel, StepSpec

UNDER_WAY = frozenset({"in_progress", "in_review", "reopened"})
OVER = frozenset({EngagementState.COMPLETED.value, EngagementState.CANCELLED.value})


@dataclass(frozen=True)
class StepPlan:
    """What the migration does to one step."""

    step_key: str
    action: str  # keep | add | remove
    state: str | None  # its state now (None for an added step)
    stage_key: str  # its stage in the new version (in the old one for a removed step)
    changes: tuple[str, ...] = ()  # the fields that change, in French ("rôle", "étape de parcours"…)
    blocking: Message | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": self.step_key,
            "action": self.action,
            "state": self.state,
            "stage": self.stage_key,
            "changes": list(self.changes),
        }
        if self.blocking is not None:
            data["blocking"] = self.blocking.fr
        return data


@dataclass
class MigrationPlan:
    engagement_id: str
    model_key: str
    from_version: int
    to_version: int
    steps: list[StepPlan] = field(default_factory=list)
    refusal: Message | None = None  # the engagement as a whole cannot move (it is over)

    @property
    def blocking(self) -> list[StepPlan]:
        return [step for step in self.steps if step.blocking is not None]

    @property
    def possible(self) -> bool:
        return self.refusal is None and not self.blocking

    def count(self, action: str) -> int:
        return sum(1 for step in self.steps if step.action == action and step.blocking is None)

    def summary(self) -> str:
        return (
            f"{plural(self.count('keep'), 'étape conservée', 'étapes conservées')}, "
            f"{plural(self.count('add'), 'ajoutée')}, {plural(self.count('remove'), 'supprimée')}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "engagement_id": self.engagement_id,
            "model_key": self.model_key,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "possible": self.possible,
            "refusal": self.refusal.fr if self.refusal else None,
            "steps": [step.as_dict() for step in self.steps],
        }


@dataclass
class MigrationResult:
    plan: MigrationPlan
    readied: list[TransitionResult] = field(default_factory=list)


def plan_migration(session: Session, engagement_id: str, target: ProcessModel) -> MigrationPlan:
    """What moving the engagement to ``target`` would do to each step, and what blocks it. Reads only."""
    engagement = session.get(EngagementRow, engagement_id)
    if engagement is None:
        raise NotFound(engagement_not_found(engagement_id))
    if target.key != engagement.model_key:
        raise InvalidInput(
            Message(
                "migration.other_model",
                f"L'accompagnement suit le modèle « {engagement.model_key} », pas « {target.key} » : "
                "une migration change de version, pas de modèle.",
                f"The engagement follows model '{engagement.model_key}', not '{target.key}': a migration "
                "changes the version, not the model.",
                path="to_version",
            )
        )
    current = model_for(session, engagement.model_key, engagement.model_version)
    diff = diff_models(current, target)
    plan = MigrationPlan(engagement.id, target.key, current.version, target.version)
    if engagement.state in OVER:
        plan.refusal = Message(
            "migration.engagement_over",
            f"L'accompagnement est {'terminé' if engagement.state == 'completed' else 'annulé'} : "
            "son parcours ne peut plus changer.",
            f"The engagement is {engagement.state}: its journey can no longer change.",
        )
    rows = _rows(session, engagement.id)
    changed = {change.key: change for change in diff.steps_changed}
    for stage in target.stages:
        for spec in stage.steps:
            row = rows.get(spec.key)
            if row is None:
                plan.steps.append(StepPlan(spec.key, "add", None, stage.key))
            else:
                plan.steps.append(_kept(row, spec, stage.key, changed.get(spec.key)))
    with_history = _steps_with_history(session, engagement.id)
    for stage_key, key in diff.steps_removed:
        if (row := rows.get(key)) is not None:
            plan.steps.append(_removed(row, stage_key, with_history))
    return plan


def migrate(
    session: Session,
    engagement_id: str,
    target: ProcessModel,
    *,
    actor: ActorRef,
    clock: Clock,
    dry_run: bool = False,
) -> MigrationResult:
    """Moves the engagement to ``target`` (its plan first; Conflict naming each blocking step when it cannot
    move). With ``dry_run``, only the plan. In the caller's transaction, with a ``model_migrated`` event."""
    plan = plan_migration(session, engagement_id, target)
    if not plan.possible:
        raise refusal(plan)
    result = MigrationResult(plan)
    if dry_run or plan.from_version == plan.to_version:
        return result
    now = clock.now()
    snapshot(session, target, now=now)
    engagement = session.get(EngagementRow, engagement_id)
    assert engagement is not None
    rows = _rows(session, engagement_id)
    not_applicable = not_applicable_steps(target, engagement.parameters)
    for step in plan.steps:
        if step.action == "remove":
            session.execute(delete(StepRow).where(StepRow.id == rows[step.step_key].id))
        elif step.action == "keep":
            spec = target.steps_by_key[step.step_key]
            row = rows[step.step_key]
            if (row.stage_key, row.role, row.kind) != (step.stage_key, spec.role, spec.kind):
                row.stage_key, row.role, row.kind = step.stage_key, spec.role, spec.kind
                row.version += 1
                row.updated_at = now
        else:
            spec = target.steps_by_key[step.step_key]
            session.add(
                StepRow(
                    engagement_id=engagement_id,
                    stage_key=step.stage_key,
                    step_key=step.step_key,
                    kind=spec.kind,
                    role=spec.role,
                    # A new step whose ``when:`` does not hold for this engagement does not apply to it.
                    state="skipped" if step.step_key in not_applicable else "pending",
                    version=1,
                    round=1,
                    updated_at=now,
                )
            )
    engagement.model_version = target.version
    engagement.version += 1
    engagement.updated_at = now
    session.flush()
    log_change(
        session,
        engagement_id,
        "model_migrated",
        {
            "model_key": plan.model_key,
            "from_version": plan.from_version,
            "to_version": plan.to_version,
            "steps": [step.as_dict() for step in plan.steps if step.action != "keep" or step.changes],
        },
        actor,
        clock,
    )
    if engagement.state == EngagementState.ACTIVE.value:
        subject = load_subject(session, engagement_id, None)
        added = [step.step_key for step in plan.steps if step.action == "add"]
        result.readied = apply_engine_moves(session, newly_ready(session, subject, added), clock)
    return result


def _kept(row: StepRow, spec: StepSpec, stage_key: str, change: StepChange | None) -> StepPlan:
    labels = tuple(c.label for c in change.changes) if change else ()
    blocking = None
    if change and change.moved_from:
        labels = ("étape de parcours", *labels)
        if row.state in UNDER_WAY:
            blocking = _blocked(
                "migration.step_moved_under_way",
                f"l'étape « {spec.key} » est en cours ({row.state}) et passerait de l'étape de "
                f"parcours « {change.moved_from} » à « {stage_key} »",
                f"step '{spec.key}' is under way ({row.state}) and would move from stage "
                f"'{change.moved_from}' to '{stage_key}'",
                spec.key,
            )
    if blocking is None and spec.kind != row.kind and row.state not in ("pending", "ready"):
        blocking = _blocked(
            "migration.kind_changed",
            f"l'étape « {spec.key} » a commencé ({row.state}) et changerait de type "
            f"({row.kind} → {spec.kind})",
            f"step '{spec.key}' has started ({row.state}) and would change kind ({row.kind} → {spec.kind})",
            spec.key,
        )
    return StepPlan(spec.key, "keep", row.state, stage_key, labels, blocking)


def _removed(row: StepRow, stage_key: str, with_history: set[int]) -> StepPlan:
    blocking = None
    if row.state != "pending" or row.id in with_history:
        blocking = _blocked(
            "migration.step_with_history_removed",
            f"l'étape « {row.step_key} » ({row.state}) a un historique que sa suppression ferait perdre",
            f"step '{row.step_key}' ({row.state}) has a history its removal would lose",
            row.step_key,
        )
    return StepPlan(row.step_key, "remove", row.state, stage_key, (), blocking)


def _rows(session: Session, engagement_id: str) -> dict[str, StepRow]:
    steps = session.scalars(select(StepRow).where(StepRow.engagement_id == engagement_id))
    return {row.step_key: row for row in steps}


def refusal(plan: MigrationPlan) -> Conflict:
    """The 409 of a migration that cannot happen, with one reason per blocking step."""
    if plan.refusal is not None:
        return Conflict(plan.refusal)
    reasons = [step.blocking for step in plan.blocking if step.blocking is not None]
    return Conflict(
        Message(
            "migration.blocked",
            f"Migration vers la version {plan.to_version} impossible : "
            f"{plural(len(reasons), 'étape bloque', 'étapes bloquent')} ("
            + " ; ".join(r.fr for r in reasons)
            + ").",
            f"Migration to version {plan.to_version} impossible: "
            + "; ".join(r.text("en") for r in reasons)
            + ".",
            details={
                "blocking_steps": [step.step_key for step in plan.blocking],
                "plan": plan.as_dict(),
            },
        ),
        reasons=reasons,
    )


def _blocked(code: str, fr: str, en: str, step_key: str) -> Message:
    return Message(code, fr, en, details={"step": step_key})


def _steps_with_history(session: Session, engagement_id: str) -> set[int]:
    """The engagement's steps that some event names."""
    return set(
        session.scalars(
            select(StepRow.id).where(
                StepRow.engagement_id == engagement_id,
                exists().where(EventRow.step_id == StepRow.id),
            )
        )
    )


def target_model(session: Session, catalog: Catalog, key: str, version: int) -> ProcessModel:
    """The version to migrate to: a template of the catalogue, or a version already stored by a launch (its
    file may have moved on since)."""
    if version in catalog.versions(key):
        return catalog.get(key, version)
    if session.get(ProcessModelRow, (key, version)) is not None:
        return model_for(session, key, version)
    return catalog.get(key, version)  # NotFound, naming the versions there are


@dataclass
class BulkOutcome:
    """A bulk migration: the engagements moved, and those left where they were, with why."""

    migrated: list[MigrationResult] = field(default_factory=list)
    blocked: list[tuple[str, Message]] = field(default_factory=list)


def engagements_of(session: Session, key: str, version: int, organisation: str | None = None) -> list[str]:
    """The engagements launched from ``key`` version ``version`` (of one organisation, when given)."""
    query = select(EngagementRow.id).where(
        EngagementRow.model_key == key, EngagementRow.model_version == version
    )
    if organisation is not None:
        query = query.where(EngagementRow.organisation_id == organisation)
    return list(session.scalars(query.order_by(EngagementRow.created_at, EngagementRow.id)))


def migrate_each(
    database: Database,
    engagement_ids: list[str],
    target: ProcessModel,
    *,
    actor: ActorRef,
    clock: Clock,
    dry_run: bool = False,
) -> BulkOutcome:
    """Migrates each engagement in its own transaction: one that cannot move stays where it is, with its
    reasons, and the others move."""
    outcome = BulkOutcome()
    for engagement_id in engagement_ids:
        try:
            with database.transaction() as session:
                outcome.migrated.append(
                    migrate(session, engagement_id, target, actor=actor, clock=clock, dry_run=dry_run)
                )
        except Conflict as refused:
            outcome.blocked.append((engagement_id, refused.message))
    return outcome
