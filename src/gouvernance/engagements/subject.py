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
    # The engagement's audit chain head (number, hash), read under the row's lock (``load_subject``).
    chain_head: tuple[int, str | None] | None = None

    @property
    def row(self) -> EngagementRow | StepRow:
        return self.step if self.step is not None else self.engagement

    @property
    def machine_class(self) -> type[StateMachine]:
        return MACHINE_BY_KIND[self.step.kind] if self.step is not None else EngagementMachine

    def with_step(self, step: StepRow) -> Subject:
        """Another step of the same engagement."""
        return Subject(self.engagement, self.model, step, self.model.steps_by_key[step.step_key])


def load_subject(
    session: Session, engagement_id: str, step_key: str | None, *, lock: bool = False
) -> Subject:
    """The engagement (``step_key`` None) or one of its steps; NotFound when either does not exist. With
    ``lock`` (the door), the rows are locked until the transaction ends, the engagement's first: transitions
    of one engagement take turns from here, and ``Subject.chain_head`` is its audit chain's head."""
    if step_key is not None:
        # The common case in one round trip: the step and its engagement together.
        found = session.execute(
            _LOCKED_STEP_AND_ENGAGEMENT if lock else _STEP_AND_ENGAGEMENT,
            {"engagement_id": engagement_id, "step_key": step_key},
        ).first()
        if found is not None:
            model = model_for(session, found[1].model_key, found[1].model_version)
            locked_head = (found[2], found[3]) if lock else None
            return Subject(found[1], model, found[0], model.steps_by_key[step_key], chain_head=locked_head)
    engagement: EngagementRow | None
    head: tuple[int, str | None] | None = None
    if lock:
        locked = session.execute(_LOCKED_ENGAGEMENT, {"engagement_id": engagement_id}).first()
        engagement = locked[0] if locked is not None else None
        head = (locked[1], locked[2]) if locked is not None else None
    else:
        engagement = session.get(EngagementRow, engagement_id)
    if engagement is None:
        raise NotFound(engagement_not_found(engagement_id))
    if step_key is None:
        model = model_for(session, engagement.model_key, engagement.model_version)
        return Subject(engagement, model, chain_head=head)
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
# The door's: FOR NO KEY UPDATE (what its UPDATEs take anyway, leaving inserts that refer to the rows free),
# the engagement first in FROM, so locked first (PostgreSQL locks in the order of FROM). Locking the step too
# makes PostgreSQL return it as the transaction that held the lock left it, not as the statement first read
# it. The chain head is selected as columns, fresh even when the session already holds the engagement.
_LOCKED_STEP_AND_ENGAGEMENT = (
    select(StepRow, EngagementRow, EngagementRow.audit_seq, EngagementRow.audit_head)
    .select_from(EngagementRow)
    .join(StepRow, StepRow.engagement_id == EngagementRow.id)
    .where(StepRow.engagement_id == bindparam("engagement_id"), StepRow.step_key == bindparam("step_key"))
    .with_for_update(key_share=True)
)
_LOCKED_ENGAGEMENT = (
    select(EngagementRow, EngagementRow.audit_seq, EngagementRow.audit_head)
    .where(EngagementRow.id == bindparam("engagement_id"))
    .with_for_update(key_share=True)
)
_STEPS_BY_KEY = select(StepRow).where(
    StepRow.engagement_id == bindparam("engagement_id"),
    StepRow.step_key.in_(bindparam("keys", expanding=True)),
)
