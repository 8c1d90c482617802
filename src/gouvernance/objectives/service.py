"""Objectives, their indicators and the local actors' approvals of one engagement (each change logged as an
event of the engagement's history).

An approval is given by a role to one version of an objective; adding an indicator to an objective or
changing it makes a new version, which the local actors approve again."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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
)
from gouvernance.objectives.records import IndicatorRow, ObjectiveApprovalRow, ObjectiveRow


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
    objective = objective_row(session, engagement_id, objective_key)
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
    objective = objective_row(session, engagement_id, objective_key)
    done = set(approvals(session, [objective]).get(objective.id, []))
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


# --- helpers ----------------------------------------------------------------------------------------------


def objective_row(session: Session, engagement_id: str, key: str) -> ObjectiveRow:
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


def approvals(session: Session, objectives: Sequence[ObjectiveRow]) -> dict[int, list[str]]:
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
