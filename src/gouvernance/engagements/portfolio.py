"""Read model for a portfolio of engagements: filtered, paginated, with each one's progress in figures.

The figures come from one grouped query over the page's steps, not from loading every engagement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, select, true
from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.lifecycle.machines import ACTIONABLE_STEP_STATES, TERMINAL_STEP_STATES


@dataclass(frozen=True)
class Figures:
    steps: int = 0
    finished: int = 0
    overdue: int = 0
    next_due: datetime | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.steps) if self.steps else 100


@dataclass(frozen=True)
class PortfolioFilter:
    territory: str | None = None  # part of the territory's name, any case
    state: str | None = None
    model_key: str | None = None
    overdue: bool | None = None  # True: with at least one overdue step; False: with none


def _overdue_step(now: datetime) -> ColumnElement[bool]:
    return and_(StepRow.state.in_(ACTIONABLE_STEP_STATES), StepRow.due_at < now)


def _filtered(query: Select, visible: ColumnElement[bool], filters: PortfolioFilter, now: datetime) -> Select:
    query = query.where(visible)
    if filters.territory:
        query = query.where(EngagementRow.territory_name.icontains(filters.territory, autoescape=True))
    if filters.state:
        query = query.where(EngagementRow.state == filters.state)
    if filters.model_key:
        query = query.where(EngagementRow.model_key == filters.model_key)
    if filters.overdue is not None:
        # Not a correlated EXISTS: SQLite would read every overdue step of the database for each engagement
        # (through ix_steps_state_due); the set of late engagements is read once instead.
        late = EngagementRow.id.in_(select(StepRow.engagement_id).where(_overdue_step(now)))
        query = query.where(late if filters.overdue else ~late)
    return query


def list_engagements(
    session: Session,
    *,
    now: datetime,
    visible: ColumnElement[bool] | None = None,
    filters: PortfolioFilter = PortfolioFilter(),
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EngagementRow], int]:
    """One page of the engagements ``visible`` selects (newest first), and how many match in all."""
    where = visible if visible is not None else true()
    total = session.scalar(_filtered(select(func.count()).select_from(EngagementRow), where, filters, now))
    rows = session.scalars(
        _filtered(select(EngagementRow), where, filters, now)
        .order_by(EngagementRow.created_at.desc(), EngagementRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def late_totals(
    session: Session,
    *,
    now: datetime,
    visible: ColumnElement[bool] | None = None,
    filters: PortfolioFilter = PortfolioFilter(),
) -> tuple[int, int]:
    """Over every engagement that matches (not one page): how many have an overdue step, and how many steps
    are overdue in all. One statement."""
    where = visible if visible is not None else true()
    matching = _filtered(select(EngagementRow.id), where, filters, now)
    late_engagements, late_steps = session.execute(
        select(func.count(func.distinct(StepRow.engagement_id)), func.count()).where(
            StepRow.engagement_id.in_(matching), _overdue_step(now)
        )
    ).one()
    return int(late_engagements), int(late_steps)


def figures(session: Session, engagement_ids: list[str], *, now: datetime) -> dict[str, Figures]:
    if not engagement_ids:
        return {}
    actionable = StepRow.state.in_(ACTIONABLE_STEP_STATES)
    query = (
        select(
            StepRow.engagement_id,
            func.count(),
            func.sum(case((StepRow.state.in_(TERMINAL_STEP_STATES), 1), else_=0)),
            func.sum(case((_overdue_step(now), 1), else_=0)),
            func.min(case((actionable, StepRow.due_at), else_=None)),
        )
        .where(StepRow.engagement_id.in_(engagement_ids))
        .group_by(StepRow.engagement_id)
    )
    return {
        engagement_id: Figures(int(total), int(finished or 0), int(late or 0), next_due)
        for engagement_id, total, finished, late, next_due in session.execute(query)
    }


def stage_figures(session: Session, engagement_ids: list[str]) -> dict[str, dict[str, tuple[int, int]]]:
    """Per engagement, per stage key: (steps, finished), from one grouped query."""
    if not engagement_ids:
        return {}
    query = (
        select(
            StepRow.engagement_id,
            StepRow.stage_key,
            func.count(),
            func.sum(case((StepRow.state.in_(TERMINAL_STEP_STATES), 1), else_=0)),
        )
        .where(StepRow.engagement_id.in_(engagement_ids))
        .group_by(StepRow.engagement_id, StepRow.stage_key)
    )
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for engagement_id, stage_key, total, finished in session.execute(query):
        found.setdefault(engagement_id, {})[stage_key] = (int(total), int(finished or 0))
    return found
