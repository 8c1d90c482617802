"""Walks an engagement through its journey the way its people would, one transaction per action.

Generic over the model: for each actionable step it does what the step's kind and guards call for
(attach the evidence, gather the endorsement, open and close a consultation), sends work back once where a
review can, skips where the model and its guards allow, and moves a simulated clock forward.

Before satisfying a stage's guards it tries once anyway, to show the engine refusing and why; in a stage with
a stakeholder guard (the featured rules), that is the refusal shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.demo import content_item7
from gouvernance.demo.content_substance import add_substance
from gouvernance.demo.satisfiers import SATISFIERS as CONTENT_SATISFIERS
from gouvernance.demo.stakeholders_demo import SATISFIERS as STAKEHOLDER_SATISFIERS
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.engagements.rules import evaluate_guards
from gouvernance.engagements.subject import load_subject
from gouvernance.engagements.transitions import TransitionResult, check, transition
from gouvernance.errors import DomainError
from gouvernance.evidence.service import attach_file, attach_link
from gouvernance.evidence.store import BlobStore
from gouvernance.guards.builtin import ApprovedBy, EvidenceAttached
from gouvernance.guards.registry import Guard
from gouvernance.lifecycle.machines import ACTIONABLE_STEP_STATES
from gouvernance.spec.schema import ProcessModel, StepSpec
from gouvernance.stakeholders.guards import STAKEHOLDER_GUARDS

PEOPLE = {
    "consultant": "claire.martin",
    "chef_de_projet": "julien.robert",
    "elu": "sophie.bernard",
    "agent": "karim.haddad",
    "partenaire": "association.les-jardins",
}

_COMPLETION_EVENT = {"consultation": "open_consultation", "review": "submit", "decision": "submit"}
_APPROVAL_EVENT = {"decision": "adopt"}


@dataclass
class StageReport:
    key: str
    title: str
    started: datetime | None = None
    finished: datetime | None = None
    steps: int = 0
    events: int = 0
    evidence: int = 0
    skipped: list[str] = field(default_factory=list)
    reworks: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    deliverables: list[str] = field(default_factory=list)


# A satisfier makes one kind of guard pass, as the people of the engagement would (attach, endorse…).
Satisfier = Callable[["JourneyWalker", StepSpec, Guard], None]


class JourneyWalker:
    def __init__(
        self,
        db: Database,
        model: ProcessModel,
        engagement_id: str,
        clock: FrozenClock,
        store: BlobStore,
        *,
        on_event: Callable[[TransitionResult], None] | None = None,
        satisfiers: dict[type[Guard], Satisfier] | None = None,
        featured: tuple[type[Guard], ...] = STAKEHOLDER_GUARDS,
    ) -> None:
        self.db, self.model, self.engagement_id, self.clock, self.store = (
            db,
            model,
            engagement_id,
            clock,
            store,
        )
        self.on_event = on_event
        self.satisfiers: dict[type[Guard], Satisfier] = {
            EvidenceAttached: _attach,
            ApprovedBy: _endorse,
            **STAKEHOLDER_SATISFIERS,
            **CONTENT_SATISFIERS,
            **(satisfiers or {}),
        }
        self.featured: tuple[type[Guard], ...] = featured
        self.reports = {
            stage.key: StageReport(stage.key, stage.title.fr, steps=len(stage.steps))
            for stage in model.stages
        }
        self._sent_back: set[str] = set()
        self._refusal_shown: set[str] = set()
        self.actions = 0

    # -- driving ------------------------------------------------------------------------------------------
    def run(self, max_actions: int = 5000) -> list[StageReport]:
        while self.actions < max_actions:
            rows = self._actionable()
            if not rows:
                break
            progressed = any(self._drive(row) for row in rows)
            if not progressed:
                blocked = ", ".join(f"{r.step_key} ({r.state})" for r in rows)
                raise RuntimeError(f"the walk is stuck: no actionable step can move: {blocked}")
        return list(self.reports.values())

    def _actionable(self) -> list[StepRow]:
        order = {key: index for index, key in enumerate(self.model.steps_by_key)}
        with self.db.reading() as session:
            rows = list(
                session.scalars(
                    select(StepRow).where(
                        StepRow.engagement_id == self.engagement_id, StepRow.state.in_(ACTIONABLE_STEP_STATES)
                    )
                )
            )
        return sorted(rows, key=lambda row: order[row.step_key])

    def _drive(self, row: StepRow) -> bool:
        spec = self.model.steps_by_key[row.step_key]
        responsible, reviewer = spec.role, self.model.reviewer_of(spec)
        if row.state == "ready" and spec.skippable and self._allowed(spec, "skip", reviewer):
            self._skip(spec, reviewer)
            return True
        if row.state in ("ready", "reopened"):
            # Reopened work restarts in order, once what it depends on has been redone.
            return self._allowed(spec, "start", responsible) and self.fire(spec, "start", responsible)
        if row.state == "in_progress":
            if spec.sends_back and spec.key not in self._sent_back:
                self._sent_back.add(spec.key)
                targets = ", ".join(self.model.steps_by_key[t].title.fr for t in spec.sends_back)
                self.reports[self._stage(spec)].reworks.append(f"{spec.title.fr} → renvoi de : {targets}")
                return self.fire(
                    spec,
                    "send_back",
                    responsible,
                    comment="Points de fragilité juridique : à reprendre avant validation.",
                )
            return self._complete(
                spec, _COMPLETION_EVENT.get(spec.kind, "submit"), responsible, spec.duration * 0.6
            )
        if row.state == "consulting":
            return self._complete(spec, "close_consultation", responsible, timedelta(days=14))
        if row.state == "in_review":
            colleague = reviewer == responsible and spec.self_approval != "allowed"
            return self._complete(
                spec, _APPROVAL_EVENT.get(spec.kind, "approve"), reviewer, timedelta(days=2), colleague
            )
        return False

    def _complete(
        self, spec: StepSpec, event: str, role: str, elapsed: timedelta, colleague: bool = False
    ) -> bool:
        guards = [g for g in spec.compiled_guards if g.applies_to(event)]
        if self._show_refusal_once(spec, event, role, guards, colleague):
            return True  # nothing was missing after all: the attempt went through
        for guard in guards:
            satisfier = self.satisfiers.get(type(guard))
            if satisfier is not None:
                satisfier(self, spec, guard)
        if not self._allowed(spec, event, role, colleague):
            return False  # waiting on something else (e.g. the stage's other steps)
        self.clock.advance(elapsed)
        return self.fire(spec, event, role, colleague=colleague)

    def _show_refusal_once(
        self, spec: StepSpec, event: str, role: str, guards: list[Guard], colleague: bool = False
    ) -> bool:
        """Before satisfying a stage's first guard (its first featured guard, if it has any), try anyway: the
        demo shows the engine saying why not. True when the attempt went through."""
        stage = self._stage(spec)
        if stage in self._refusal_shown or not any(type(g) in self.satisfiers for g in guards):
            return False
        if self._features(stage) and not any(isinstance(g, self.featured) for g in guards):
            return False
        try:
            self.fire(spec, event, role, colleague=colleague)
        except DomainError as refusal:
            self._refusal_shown.add(stage)
            self.reports[stage].refusals.append(refusal.text())
            return False
        return True

    def _features(self, stage_key: str) -> bool:
        return any(
            isinstance(guard, self.featured)
            for step in self.model.stages_by_key[stage_key].steps
            for guard in step.compiled_guards
        )

    def _skip(self, spec: StepSpec, reviewer: str) -> None:
        self.reports[self._stage(spec)].skipped.append(spec.title.fr)
        self.fire(
            spec, "skip", reviewer, comment="Sans objet pour ce territoire (conditions du modèle remplies)."
        )

    def _allowed(self, spec: StepSpec, event: str, role: str, colleague: bool = False) -> bool:
        actor = self.actor(role, colleague)
        with self.db.reading() as session:
            subject = load_subject(session, self.engagement_id, spec.key)
            verdict = check(session, subject, event, actor, self.clock, comment="vérification")
        return verdict.allowed

    # -- acting -------------------------------------------------------------------------------------------
    def actor(self, role: str, colleague: bool = False) -> ActorRef:
        """The role's person, or a colleague of theirs: someone else approves the work a person submitted
        when the step's role is also its reviewer (separation of duties)."""
        login = PEOPLE.get(role, role)
        return ActorRef.of(f"{login}.binome" if colleague else login, role)

    def fire(
        self, spec: StepSpec, event: str, role: str, comment: str | None = None, *, colleague: bool = False
    ) -> bool:
        with self.db.transaction() as session:
            result = transition(
                session,
                engagement_id=self.engagement_id,
                step_key=spec.key,
                event=event,
                actor=self.actor(role, colleague),
                clock=self.clock,
                comment=comment,
            )
        self.actions += 1
        for item in result.all():
            self._record(item)
        if self.on_event:
            self.on_event(result)
        return True

    def _record(self, result: TransitionResult) -> None:
        content_item7.on_transition(self, result)
        if result.step_key is None:
            return
        add_substance(self, result)  # findings, objectives, decisions… entered as the step goes
        spec = self.model.steps_by_key[result.step_key]
        report = self.reports[self._stage(spec)]
        report.events += 1
        now = self.clock.now()
        if result.event == "start" and report.started is None:
            report.started = now
        if result.to_state in ("done", "skipped"):
            report.finished = now
            for key in spec.deliverables.produces:
                title = self.model.deliverables_by_key[key].title.fr
                if title not in report.deliverables:
                    report.deliverables.append(title)

    def _stage(self, spec: StepSpec) -> str:
        return self.model.stage_of_step[spec.key]

    def attach(self, spec: StepSpec, *, kind: str, label: str, role: str) -> None:
        with self.db.transaction() as session:
            if kind == "link":
                attach_link(
                    session,
                    engagement_id=self.engagement_id,
                    step_key=spec.key,
                    label=label,
                    url=f"https://www.collectivite.example/documents/{spec.key}",
                    actor=self.actor(role),
                    clock=self.clock,
                )
            else:
                body = _document_text(spec, label, self.clock.now())
                attach_file(
                    session,
                    engagement_id=self.engagement_id,
                    step_key=spec.key,
                    label=label,
                    filename=f"{spec.key}-{_slug(label)}.md",
                    content=body.encode(),
                    content_type="text/markdown",
                    actor=self.actor(role),
                    store=self.store,
                    clock=self.clock,
                    max_bytes=10_000_000,
                )
        self.reports[self._stage(spec)].evidence += 1


def _attach(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    assert isinstance(guard, EvidenceAttached)
    with walker.db.reading() as session:
        subject = load_subject(session, walker.engagement_id, spec.key)
        outcome = evaluate_guards(session, subject, guard.on[0], walker.actor(spec.role), walker.clock, {})
    if all(o.passed for o in outcome if o.rule == guard.rule):
        return
    for _ in range(guard.min):
        walker.attach(
            spec,
            kind="link" if guard.kind == "link" else "file",
            label=guard.label or f"compte rendu — {spec.title.fr}",
            role=spec.role,
        )


def _endorse(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    assert isinstance(guard, ApprovedBy)
    if walker._allowed(spec, guard.on[0], walker.model.reviewer_of(spec)):
        return
    walker.fire(spec, "endorse", guard.role, comment="Validé en comité de pilotage.")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40]


def _document_text(spec: StepSpec, label: str, at: datetime) -> str:
    return (
        f"# {label.capitalize()}\n\nÉtape : {spec.title.fr}\n\nRédigé le {at:%d/%m/%Y}.\n\n"
        f"{spec.description.fr if spec.description else ''}\n"
    )


def summary(reports: list[StageReport]) -> dict[str, Any]:
    return {
        "stages": len(reports),
        "events": sum(r.events for r in reports),
        "reworks": sum(len(r.reworks) for r in reports),
        "skipped": sum(len(r.skipped) for r in reports),
    }
