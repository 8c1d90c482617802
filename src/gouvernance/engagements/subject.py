"""What a transition applies to: an engagement or one of its steps, with its process model.

The door, its rules and readiness, and the read models that tell a user what they may do next all see a
row the same way: as a ``Subject``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from statemachine import StateMachine

from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.errors import Message, NotFound
from gouvernance.lifecycle.machines import MACHINE_BY_KIND, EngagementMachine
from gouvernance.messages import engagement_not_found
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import ProcessModel, StepSpec


@dataclass
class Subject:
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

    def with_step(self, step: StepRow) -> Subject:
        """Another step of the same engagement."""
        return Subject(self.engagement, self.model, step, self.model.steps_by_key[step.step_key])


def load_subject(session: Session, engagement_id: str, step_key: str | None) -> Subject:
    """The engagement (``step_key`` None) or one of its steps; NotFound when either does not exist."""
    if step_key is not None:
        # The common case in one round trip: the step and its engagement together.
        found = session.execute(
            _STEP_AND_ENGAGEMENT, {"engagement_id": engagement_id, "step_key": step_key}
        ).first()
        if found is not None:
            step_row, engagement_row = found
            model = model_for(session, engagement_row.model_key, engagement_row.model_version)
            return Subject(engagement_row, model, step_row, model.steps_by_key[step_key])
    engagement = session.get(EngagementRow, engagement_id)
    if engagement is None:
        raise NotFound(engagement_not_found(engagement_id))
    if step_key is None:
        return Subject(engagement, model_for(session, engagement.model_key, engagement.model_version))
    # The engagement exists, so the step does not.
    raise NotFound(
        Message(
            "step.not_found",
            f"Étape introuvable : « {step_key} »",
            f"Step not found: '{step_key}'",
            details={"step_key": step_key},
        )
    )


def load_steps(session: Session, engagement_id: str, keys: Iterable[str]) -> list[StepRow]:
    """The engagement's steps among ``keys``, in the order of ``keys`` (the model's order)."""
    keys = list(keys)
    if not keys:
        return []
    rows = session.scalars(_STEPS_BY_KEY, {"engagement_id": engagement_id, "keys": keys})
    order = {key: index for index, key in enumerate(keys)}
    # Whatever order the database returns them in.
    return sorted(rows, key=lambda row: order[row.step_key])


# Statements on every transition's path are built once: SQLAlchemy then finds them compiled in its cache.
_STEP_AND_ENGAGEMENT = (
    select(StepRow, EngagementRow)
    .join(EngagementRow, EngagementRow.id == StepRow.engagement_id)
    .where(StepRow.engagement_id == bindparam("engagement_id"), StepRow.step_key == bindparam("step_key"))
)
_STEPS_BY_KEY = select(StepRow).where(
    StepRow.engagement_id == bindparam("engagement_id"),
    StepRow.step_key.in_(bindparam("keys", expanding=True)),
)
