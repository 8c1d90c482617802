"""Measurements of an engagement's indicators, entered through the API or the CLI (every problem of every
measurement reported at once, then nothing recorded)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import InvalidInput, Message
from gouvernance.inputs import date_problem, text_problems
from gouvernance.objectives.records import IndicatorRow, MeasurementRow
from gouvernance.objectives.service import indicators_by_key


@dataclass(frozen=True)
class MeasurementData:
    indicator_key: str
    measured_on: date
    value: float
    source: str = ""
    comment: str = ""


def record_measurements(
    session: Session,
    *,
    engagement_id: str,
    measurements: Sequence[MeasurementData],
    actor: ActorRef,
    clock: Clock,
) -> int:
    """Records values (a value for a day that already has one replaces it). Every problem of every
    measurement is reported at once, and then nothing is recorded."""
    indicators = indicators_by_key(session, engagement_id)
    problems = [
        problem
        for index, measurement in enumerate(measurements)
        for problem in measurement_problems(measurement, indicators, f"measurements.{index}.")
    ]
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    existing = {
        (row.indicator_id, row.measured_on): row
        for row in session.scalars(
            select(MeasurementRow).where(
                MeasurementRow.indicator_id.in_([indicators[m.indicator_key].id for m in measurements])
            )
        )
    }
    now = clock.now()
    for measurement in measurements:
        indicator = indicators[measurement.indicator_key]
        row = existing.get((indicator.id, measurement.measured_on))
        if row is None:
            row = MeasurementRow(indicator_id=indicator.id, measured_on=measurement.measured_on)
            session.add(row)
            existing[(indicator.id, measurement.measured_on)] = row
        row.value, row.source, row.comment = measurement.value, measurement.source, measurement.comment
        row.recorded_by, row.recorded_at = actor.login, now
    session.flush()
    log_change(
        session,
        engagement_id,
        "measurements_recorded",
        {"count": len(measurements), "indicators": sorted({m.indicator_key for m in measurements})},
        actor,
        clock,
    )
    return len(measurements)


def measurement_problems(
    measurement: MeasurementData, indicators: dict[str, IndicatorRow], prefix: str = ""
) -> list[Message]:
    """Every problem of one measurement; ``prefix`` places its fields in a request (``measurements.3.``)."""
    problems = text_problems(
        {f"{prefix}indicator": measurement.indicator_key, f"{prefix}source": measurement.source}
    ) + text_problems({f"{prefix}comment": measurement.comment}, multiline=True)
    if measurement.indicator_key not in indicators:
        known = ", ".join(sorted(indicators)) or "aucun"
        problems.append(
            Message(
                "measurement.unknown_indicator",
                f"indicateur inconnu : « {measurement.indicator_key} » "
                f"(indicateurs de l'accompagnement : {known})",
                f"unknown indicator: '{measurement.indicator_key}' (the engagement's indicators: {known})",
                path=f"{prefix}indicator",
                details={"indicator": measurement.indicator_key, "known": sorted(indicators)},
            )
        )
    if (problem := date_problem(measurement.measured_on, f"{prefix}date")) is not None:
        problems.append(problem)
    if not math.isfinite(measurement.value):
        problems.append(
            Message(
                "measurement.not_a_number",
                "la valeur doit être un nombre fini",
                "the value must be a finite number",
                path=f"{prefix}value",
            )
        )
    return problems
