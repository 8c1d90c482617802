"""A user's to-do list: actionable steps of active engagements where one of their roles is responsible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from gouvernance.access.service import Principal
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.lifecycle.machines import ACTIONABLE_STEP_STATES


@dataclass(frozen=True)
class Task:
    engagement: EngagementRow
    step: StepRow


def _responsible(principal: Principal) -> ColumnElement[bool]:
    """Steps whose role the principal holds on their engagement (organisation-wide or granted on it)."""
    conditions: list[ColumnElement[bool]] = []
    if principal.organisation_roles:
        conditions.append(
            and_(
                EngagementRow.organisation_id == principal.organisation,
                StepRow.role.in_(sorted(principal.organisation_roles)),
            )
        )
    for grant in principal.grants:
        if grant.engagement_id is not None:
            conditions.append(and_(StepRow.engagement_id == grant.engagement_id, StepRow.role == grant.role))
    return or_(*conditions) if conditions else false()


def tasks_for(session: Session, principal: Principal, *, limit: int = 200) -> list[Task]:
    """Sorted by due date, soonest first; steps without a due date come last."""
    query = (
        select(EngagementRow, StepRow)
        .join(StepRow, StepRow.engagement_id == EngagementRow.id)
        .where(
            EngagementRow.state == "active",
            StepRow.state.in_(ACTIONABLE_STEP_STATES),
            _responsible(principal),
        )
        .order_by(StepRow.due_at.is_(None), StepRow.due_at, StepRow.id)
        .limit(limit)
    )
    return [Task(engagement, step) for engagement, step in session.execute(query)]


def is_overdue(step: StepRow, now: datetime) -> bool:
    return step.due_at is not None and step.state in ACTIONABLE_STEP_STATES and step.due_at < now
