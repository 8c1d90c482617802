"""Read models: where an engagement stands, stage by stage, and what each step waits for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.subject import load_subject
from gouvernance.errors import InvalidInput, Message, NotFound
from gouvernance.lifecycle.machines import ACTIONABLE_STEP_STATES, TERMINAL_STEP_STATES
from gouvernance.messages import engagement_not_found
from gouvernance.spec.schema import ProcessModel


@dataclass
class StepView:
    key: str
    title: str
    kind: str
    role: str
    state: str
    version: int
    due_at: datetime | None
    overdue: bool


@dataclass
class StageView:
    key: str
    title: str
    steps: list[StepView] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def finished(self) -> int:
        return sum(step.state in TERMINAL_STEP_STATES for step in self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100

    @property
    def status(self) -> str:
        if self.finished == self.total:
            return "complete"
        if all(step.state == "pending" for step in self.steps):
            return "not_started"
        return "in_progress"

    @property
    def next_due(self) -> datetime | None:
        dues = [s.due_at for s in self.steps if s.due_at and s.state in ACTIONABLE_STEP_STATES]
        return min(dues) if dues else None

    @property
    def overdue(self) -> list[StepView]:
        return [step for step in self.steps if step.overdue]


@dataclass
class EngagementProgress:
    engagement: EngagementRow
    model: ProcessModel
    stages: list[StageView]
    as_of: datetime

    @property
    def steps(self) -> list[StepView]:
        return [step for stage in self.stages for step in stage.steps]

    @property
    def percent(self) -> int:
        steps = self.steps
        return round(100 * sum(s.state in TERMINAL_STEP_STATES for s in steps) / len(steps)) if steps else 100

    @property
    def next_due(self) -> datetime | None:
        dues = [stage.next_due for stage in self.stages if stage.next_due]
        return min(dues) if dues else None

    @property
    def overdue(self) -> list[StepView]:
        return [step for stage in self.stages for step in stage.overdue]

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "id": self.engagement.id,
            "state": self.engagement.state,
            "percent_done": self.percent,
            "next_due_at": self.next_due.isoformat() if self.next_due else None,
            "overdue_count": len(self.overdue),
            "stages": [
                {
                    "key": s.key,
                    "title": s.title,
                    "status": s.status,
                    "percent_done": s.percent,
                    "steps_total": s.total,
                    "steps_finished": s.finished,
                    "next_due_at": s.next_due.isoformat() if s.next_due else None,
                    "overdue_steps": [o.key for o in s.overdue],
                }
                for s in self.stages
            ],
        }


def engagement_progress(
    session: Session, engagement_id: str, *, now: datetime, lang: str = "fr"
) -> EngagementProgress:
    subject = load_subject(session, engagement_id, None)
    engagement, model = subject.engagement, subject.model
    rows = {
        row.step_key: row
        for row in session.scalars(select(StepRow).where(StepRow.engagement_id == engagement.id))
    }
    stages = []
    for stage in model.stages:
        view = StageView(stage.key, stage.title.text(lang))
        for spec in stage.steps:
            row = rows[spec.key]
            overdue = row.due_at is not None and row.state in ACTIONABLE_STEP_STATES and row.due_at < now
            view.steps.append(
                StepView(
                    spec.key,
                    spec.title.text(lang),
                    spec.kind,
                    spec.role,
                    row.state,
                    row.version,
                    row.due_at,
                    overdue,
                )
            )
        stages.append(view)
    return EngagementProgress(engagement, model, stages, now)


def find_engagement_id(session: Session, reference: str) -> str:
    """An engagement id from the full id or an unambiguous prefix (as with git commits)."""
    if session.get(EngagementRow, reference) is not None:
        return reference
    matches = list(
        session.scalars(
            select(EngagementRow.id).where(EngagementRow.id.startswith(reference, autoescape=True)).limit(2)
        )
    )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(engagement_not_found(reference))
    raise InvalidInput(
        Message(
            "engagement.ambiguous",
            f"Référence ambiguë « {reference} » : donnez plus de caractères",
            f"Ambiguous reference '{reference}': give more characters",
        )
    )
