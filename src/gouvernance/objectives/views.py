"""The objectives read back with their evaluation: each objective with its indicators, the roles that approved
its current version, and where it stands on a given day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.engagements.lookup import engagement_or_not_found
from gouvernance.objectives.evaluation import (
    Direction,
    Indicator,
    IndicatorEvaluation,
    Measurement,
    ObjectiveEvaluation,
    evaluate_indicator,
    evaluate_objective,
)
from gouvernance.objectives.plan import Plan, plans
from gouvernance.objectives.records import IndicatorRow, MeasurementRow, ObjectiveRow
from gouvernance.objectives.service import approvals


@dataclass
class ObjectiveView:
    objective: ObjectiveRow
    indicators: list[IndicatorRow]
    approved_by: list[str]  # the roles that approved the current version
    evaluation: ObjectiveEvaluation
    indicator_evaluations: dict[str, IndicatorEvaluation]
    plan: Plan  # means and actions: the trace from the objective to its measurements


def objectives_view(session: Session, engagement_id: str, *, as_of: date) -> list[ObjectiveView]:
    """Every objective with its indicators, the roles that approved its current version and its evaluation
    on ``as_of``, with its means and actions: six queries whatever the number of objectives."""
    engagement_or_not_found(session, engagement_id)
    objectives = session.scalars(
        select(ObjectiveRow).where(ObjectiveRow.engagement_id == engagement_id).order_by(ObjectiveRow.id)
    ).all()
    indicators = session.scalars(
        select(IndicatorRow).where(IndicatorRow.engagement_id == engagement_id).order_by(IndicatorRow.id)
    ).all()
    values: dict[int, list[Measurement]] = defaultdict(list)
    for indicator_id, measured_on, value in session.execute(
        select(MeasurementRow.indicator_id, MeasurementRow.measured_on, MeasurementRow.value)
        .join(IndicatorRow, IndicatorRow.id == MeasurementRow.indicator_id)
        .where(IndicatorRow.engagement_id == engagement_id)
    ):
        values[indicator_id].append(Measurement(measured_on, value))
    approved = approvals(session, objectives)
    plan_of = plans(session, [objective.id for objective in objectives], as_of=as_of)
    by_objective: dict[int, list[IndicatorRow]] = defaultdict(list)
    for indicator in indicators:
        by_objective[indicator.objective_id].append(indicator)
    views = []
    for objective in objectives:
        evaluations = {
            row.key: evaluate_indicator(as_indicator(row), values[row.id], as_of)
            for row in by_objective[objective.id]
        }
        views.append(
            ObjectiveView(
                objective,
                by_objective[objective.id],
                approved.get(objective.id, []),
                evaluate_objective(list(evaluations.values())),
                evaluations,
                plan_of[objective.id],
            )
        )
    return views


def as_indicator(row: IndicatorRow) -> Indicator:
    return Indicator(
        row.key,
        row.label,
        row.unit,
        row.baseline,
        row.baseline_on,
        row.target,
        row.deadline,
        Direction(row.direction),
    )
