"""The objectives read back with their evaluation: each objective with its indicators, the roles that approved
its current version, and where it stands on a given day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.engagements.lookup import engagement_or_not_found
from gouvernance.errors import Message, NotFound
from gouvernance.objectives.charts import Chart, indicator_chart
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
    measurements: dict[str, list[Measurement]] = field(default_factory=dict)  # by indicator key, by date


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
                {row.key: sorted(values[row.id], key=lambda m: m.on) for row in by_objective[objective.id]},
            )
        )
    return views


def indicator_chart_of(session: Session, engagement_id: str, indicator_key: str, *, as_of: date) -> Chart:
    """The chart of one indicator of the engagement on ``as_of``; NotFound when the engagement or the
    indicator does not exist."""
    engagement_or_not_found(session, engagement_id)
    row = session.scalars(
        select(IndicatorRow).where(
            IndicatorRow.engagement_id == engagement_id, IndicatorRow.key == indicator_key
        )
    ).first()
    if row is None:
        raise NotFound(
            Message(
                "indicator.not_found",
                f"indicateur introuvable : « {indicator_key} »",
                f"indicator not found: '{indicator_key}'",
                details={"indicator": indicator_key},
            )
        )
    values = [
        Measurement(measured_on, value)
        for measured_on, value in session.execute(
            select(MeasurementRow.measured_on, MeasurementRow.value).where(
                MeasurementRow.indicator_id == row.id
            )
        )
    ]
    return indicator_chart(as_indicator(row), values, as_of=as_of, id_prefix=f"courbe-{row.key}")


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
