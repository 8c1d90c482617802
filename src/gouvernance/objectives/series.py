"""A recurring journey's indicators continue from cycle to cycle: the next cycle gets the same objectives
and indicators, with their reference, target and history of measurements, so that its charts and its
evaluation read one series. Its objectives are to be validated again, by the new cycle's actors."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.engagements.records import EngagementRow
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.records import IndicatorRow, MeasurementRow, ObjectiveRow
from gouvernance.objectives.service import Frequency, IndicatorData, add_indicator, add_objective


def continue_indicators(
    session: Session, previous_id: str, next_id: str, actor: ActorRef, clock: Clock
) -> None:
    """A cycle hook: copies the previous cycle's objectives and indicators, measurements included."""
    objectives = session.scalars(
        select(ObjectiveRow).where(ObjectiveRow.engagement_id == previous_id).order_by(ObjectiveRow.id)
    ).all()
    if not objectives:
        return
    following = session.get(EngagementRow, next_id)
    assert following is not None
    carried = 0
    for objective in objectives:
        add_objective(
            session,
            engagement_id=next_id,
            key=objective.key,
            title=objective.title,
            description=objective.description,
            actor=actor,
            clock=clock,
        )
        indicators = session.scalars(
            select(IndicatorRow).where(IndicatorRow.objective_id == objective.id).order_by(IndicatorRow.id)
        ).all()
        for indicator in indicators:
            add_indicator(
                session,
                engagement_id=next_id,
                objective_key=objective.key,
                data=IndicatorData(
                    indicator.key,
                    indicator.label,
                    indicator.unit,
                    indicator.baseline,
                    indicator.baseline_on,
                    indicator.target,
                    _deadline(indicator, following.start_date),
                    Direction(indicator.direction),
                    Frequency(indicator.frequency),
                    indicator.source,
                    indicator.public,
                ),
                actor=actor,
                clock=clock,
            )
            carried += _copy_measurements(session, indicator, next_id)
    log_change(
        session,
        next_id,
        "indicators_continued",
        {
            "from_engagement_id": previous_id,
            "objectives": [o.key for o in objectives],
            "measurements": carried,
        },
        actor,
        clock,
    )


def _deadline(indicator: IndicatorRow, start: date) -> date:
    """The same deadline while it is ahead; one past is moved by the indicator's own horizon, so the new
    cycle keeps a target to reach."""
    if indicator.deadline > start:
        return indicator.deadline
    horizon = max(indicator.deadline - indicator.baseline_on, timedelta(days=365))
    return start + horizon


def _copy_measurements(session: Session, indicator: IndicatorRow, next_id: str) -> int:
    copy = session.scalars(
        select(IndicatorRow).where(IndicatorRow.engagement_id == next_id, IndicatorRow.key == indicator.key)
    ).one()
    measurements = session.scalars(
        select(MeasurementRow)
        .where(MeasurementRow.indicator_id == indicator.id)
        .order_by(MeasurementRow.measured_on)
    ).all()
    for measurement in measurements:
        session.add(
            MeasurementRow(
                indicator_id=copy.id,
                measured_on=measurement.measured_on,
                value=measurement.value,
                source=measurement.source,
                comment=measurement.comment or "repris du cycle précédent",
                recorded_by=measurement.recorded_by,
                recorded_at=measurement.recorded_at,
            )
        )
    session.flush()
    return len(measurements)
