"""Objectives, indicators, measurements and approvals of one engagement: writes (each logged as an event of
the engagement's history) and the evaluation read model.

An approval is given by a role to one version of an objective; adding an indicator to an objective or
changing it makes a new version, which the local actors approve again."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound
from gouvernance.inputs import date_problem, text_problems
from gouvernance.objectives.evaluation import (
    Direction,
    Indicator,
    IndicatorEvaluation,
    Measurement,
    ObjectiveEvaluation,
    evaluate_indicator,
    evaluate_objective,
)
from gouvernance.objectives.records import IndicatorRow, MeasurementRow, ObjectiveApprovalRow, ObjectiveRow


class Frequency(StrEnum):
    """How often an indicator is measured."""

    MENSUELLE = "mensuelle"
    TRIMESTRIELLE = "trimestrielle"
    SEMESTRIELLE = "semestrielle"
    ANNUELLE = "annuelle"


@dataclass(frozen=True)
class IndicatorData:
    key: str
    label: str
    unit: str
    baseline: float
    baseline_on: date
    target: float
    deadline: date
    direction: Direction
    frequency: Frequency
    source: str
    public: bool = False


@dataclass(frozen=True)
class MeasurementData:
    indicator_key: str
    measured_on: date
    value: float
    source: str = ""
    comment: str = ""


@dataclass
class ObjectiveView:
    objective: ObjectiveRow
    indicators: list[IndicatorRow]
    approved_by: list[str]  # the roles that approved the current version
    evaluation: ObjectiveEvaluation
    indicator_evaluations: dict[str, IndicatorEvaluation] = field(default_factory=dict)


# --- writes ------------------------------------------------------------------------------------------------


def add_objective(
    session: Session,
    *,
    engagement_id: str,
    key: str,
    title: str,
    description: str = "",
    actor: ActorRef,
    clock: Clock,
) -> ObjectiveRow:
    engagement_or_not_found(session, engagement_id)
    _check_texts({"key": key, "title": title}, {"description": description})
    now = clock.now()
    row = ObjectiveRow(
        engagement_id=engagement_id,
        key=key,
        title=title,
        description=description,
        version=1,
        created_at=now,
        updated_at=now,
    )
    with _unique(
        "objective.exists", f"l'objectif « {key} » existe déjà", f"objective '{key}' already exists"
    ):
        session.add(row)
        session.flush()
    log_change(session, engagement_id, "objective_added", {"objective": key, "title": title}, actor, clock)
    return row


@dataclass(frozen=True)
class IndicatorAdded:
    objective: str
    indicator: str
    objective_version: int  # the new version, which the local actors are asked to approve again


def add_indicator(
    session: Session,
    *,
    engagement_id: str,
    objective_key: str,
    data: IndicatorData,
    actor: ActorRef,
    clock: Clock,
) -> IndicatorAdded:
    objective = _objective(session, engagement_id, objective_key)
    _check_indicator(data)
    row = IndicatorRow(
        engagement_id=engagement_id,
        objective_id=objective.id,
        key=data.key,
        label=data.label,
        unit=data.unit,
        baseline=data.baseline,
        baseline_on=data.baseline_on,
        target=data.target,
        deadline=data.deadline,
        direction=data.direction.value,
        frequency=data.frequency.value,
        source=data.source,
        public=data.public,
        created_at=clock.now(),
    )
    with _unique(
        "indicator.exists",
        f"l'indicateur « {data.key} » existe déjà",
        f"indicator '{data.key}' already exists",
    ):
        session.add(row)
        session.flush()
    # The objective the actors approve includes its indicators: a new one asks for their approval again.
    objective.version += 1
    objective.updated_at = clock.now()
    log_change(
        session,
        engagement_id,
        "indicator_added",
        {"objective": objective_key, "indicator": data.key, "objective_version": objective.version},
        actor,
        clock,
    )
    return IndicatorAdded(objective_key, data.key, objective.version)


@dataclass(frozen=True)
class Approval:
    objective: str
    version: int
    roles: list[str]  # every role that has approved this version so far


def approve_objective(
    session: Session, *, engagement_id: str, objective_key: str, actor: ActorRef, clock: Clock
) -> Approval:
    """Records the actor's approval of the objective's current version, once per role they hold here.
    Approving again is harmless."""
    objective = _objective(session, engagement_id, objective_key)
    done = set(_approvals(session, [objective]).get(objective.id, []))
    for role in sorted(actor.roles - done):
        session.add(
            ObjectiveApprovalRow(
                objective_id=objective.id,
                objective_version=objective.version,
                role=role,
                login=actor.login,
                approved_at=clock.now(),
            )
        )
    session.flush()
    log_change(
        session,
        engagement_id,
        "objective_approved",
        {"objective": objective_key, "objective_version": objective.version, "roles": sorted(actor.roles)},
        actor,
        clock,
    )
    return Approval(objective_key, objective.version, sorted(done | actor.roles))


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


# --- reads ------------------------------------------------------------------------------------------------


def objectives_view(session: Session, engagement_id: str, *, as_of: date) -> list[ObjectiveView]:
    """Every objective with its indicators, the roles that approved its current version and its evaluation
    on ``as_of``: four queries whatever the number of objectives."""
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
    approvals = _approvals(session, objectives)
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
                approvals.get(objective.id, []),
                evaluate_objective(list(evaluations.values())),
                evaluations,
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


# --- helpers ----------------------------------------------------------------------------------------------


def _objective(session: Session, engagement_id: str, key: str) -> ObjectiveRow:
    engagement_or_not_found(session, engagement_id)
    row = session.scalars(
        select(ObjectiveRow).where(ObjectiveRow.engagement_id == engagement_id, ObjectiveRow.key == key)
    ).first()
    if row is None:
        raise NotFound(
            Message(
                "objective.not_found",
                f"objectif introuvable : « {key} »",
                f"objective not found: '{key}'",
                details={"objective": key},
            )
        )
    return row


def indicators_by_key(session: Session, engagement_id: str) -> dict[str, IndicatorRow]:
    engagement_or_not_found(session, engagement_id)
    return {
        row.key: row
        for row in session.scalars(select(IndicatorRow).where(IndicatorRow.engagement_id == engagement_id))
    }


def _approvals(session: Session, objectives: Sequence[ObjectiveRow]) -> dict[int, list[str]]:
    """Per objective, the roles that approved its current version."""
    current = {objective.id: objective.version for objective in objectives}
    roles: dict[int, list[str]] = defaultdict(list)
    if not current:
        return roles
    for objective_id, version, role in session.execute(
        select(
            ObjectiveApprovalRow.objective_id,
            ObjectiveApprovalRow.objective_version,
            ObjectiveApprovalRow.role,
        )
        .where(ObjectiveApprovalRow.objective_id.in_(list(current)))
        .order_by(ObjectiveApprovalRow.role)
    ):
        if version == current[objective_id]:
            roles[objective_id].append(role)
    return roles


def _check_indicator(data: IndicatorData) -> None:
    problems = _text_problems(
        {"key": data.key, "label": data.label, "unit": data.unit, "source": data.source}
    )
    for path, value in (("baseline", data.baseline), ("target", data.target)):
        if not math.isfinite(value):
            problems.append(
                Message(
                    "indicator.not_a_number",
                    f"« {path} » doit être un nombre fini",
                    f"'{path}' must be a finite number",
                    path=path,
                )
            )
    problems += [
        p
        for p in (date_problem(data.baseline_on, "baseline_on"), date_problem(data.deadline, "deadline"))
        if p
    ]
    if data.deadline <= data.baseline_on:
        problems.append(
            Message(
                "indicator.deadline_before_baseline",
                "l'échéance doit suivre la date de la valeur de référence",
                "the deadline must come after the baseline's date",
                path="deadline",
            )
        )
    if problems:
        raise InvalidInput(problems[0], reasons=problems)


def _text_problems(single_line: dict[str, str], multiline: dict[str, str] | None = None) -> list[Message]:
    return text_problems(single_line) + text_problems(multiline or {}, multiline=True)


def _check_texts(single_line: dict[str, str], multiline: dict[str, str] | None = None) -> None:
    problems = _text_problems(single_line, multiline)
    if problems:
        raise InvalidInput(problems[0], reasons=problems)


@contextmanager
def _unique(code: str, fr: str, en: str) -> Iterator[None]:
    """A key already taken (by an earlier request, or by another transaction at the same time on PostgreSQL)
    is a Conflict the person can act on; the caller's transaction rolls back."""
    try:
        yield
    except IntegrityError:
        raise Conflict(Message(code, fr, en, details={"reason": "key_taken"})) from None
