"""The consultation log: who was consulted, when, how, and for which step (hence which stage) of the
engagement's journey. Every problem of an entry is reported at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from gouvernance.audit import chain
from gouvernance.audit.sources import consultation_deleted_values, consultation_values
from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.engagements.records import StepRow
from gouvernance.errors import DomainError, InvalidInput, Message
from gouvernance.inputs import text_problems
from gouvernance.messages import plural
from gouvernance.spec.schema import ProcessModel
from gouvernance.stakeholders.common import engagement_of, not_found, vocabulary_term
from gouvernance.stakeholders.records import ConsultationData
from gouvernance.stakeholders.register import consultation_sessions
from gouvernance.stakeholders.tables import (
    ConsultationParticipantRow,
    ConsultationRow,
    StakeholderRow,
)
from gouvernance.stakeholders.vocabulary import ConsultationFormat

_PARTICIPANTS = cast(Table, ConsultationParticipantRow.__table__)


@dataclass(frozen=True)
class ConsultationView:
    row: ConsultationRow
    stakeholder_ids: list[int]

    def as_dict(self) -> dict[str, Any]:
        row = self.row
        return {
            "id": row.id,
            "step_key": row.step_key,
            "stage_key": row.stage_key,
            "held_on": row.held_on.isoformat(),
            "format": row.format,
            "summary": row.summary,
            "outcome": row.outcome,
            "stakeholder_ids": self.stakeholder_ids,
            "recorded_by": row.recorded_by,
        }


def list_consultations(session: Session, engagement_id: str) -> list[ConsultationView]:
    engagement_of(session, engagement_id)
    return [
        ConsultationView(row, sorted(participants))
        for row, participants in consultation_sessions(session, engagement_id)
    ]


def get_consultation(session: Session, engagement_id: str, consultation_id: int) -> ConsultationView:
    row = session.get(ConsultationRow, consultation_id)
    if row is None or row.engagement_id != engagement_id:
        raise not_found("consultation", consultation_id)
    ids = session.scalars(
        select(ConsultationParticipantRow.stakeholder_id)
        .where(ConsultationParticipantRow.consultation_id == row.id)
        .order_by(ConsultationParticipantRow.stakeholder_id)
    )
    return ConsultationView(row, list(ids))


def add_consultation(
    session: Session,
    *,
    engagement_id: str,
    step_key: str,
    held_on: date | str,
    format: str,
    stakeholder_ids: Sequence[int],
    summary: str = "",
    outcome: str = "",
    actor: ActorRef,
    clock: Clock,
) -> ConsultationView:
    """An entry of the consultation log: the step it served (a step of the engagement's model; it counts
    for that step's stage) and the stakeholders of the engagement who took part. Every problem is reported
    at once."""
    _, model = engagement_of(session, engagement_id)
    data, problems = _consultation_data(step_key, held_on, format, stakeholder_ids, summary, outcome)
    problems += _consultation_text_problems({"step_key": step_key, "summary": summary, "outcome": outcome})
    problems += _step_problems(model, step_key) + _participant_problems(
        session, engagement_id, stakeholder_ids
    )
    _refuse_consultation(problems)
    assert data is not None
    row = ConsultationRow(
        engagement_id=engagement_id,
        step_key=step_key,
        stage_key=model.stage_of_step[step_key],
        held_on=data.date,
        format=data.format.value,
        summary=data.summary,
        outcome=data.outcome,
        recorded_by=actor.login,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    ids = sorted(set(stakeholder_ids))
    session.execute(
        insert(_PARTICIPANTS),
        [{"consultation_id": row.id, "stakeholder_id": stakeholder_id} for stakeholder_id in ids],
    )
    chain.append(session, "consultation", consultation_values(row, ids), at=row.created_at)
    log_change(
        session,
        engagement_id,
        "consultation_recorded",
        {
            "consultation_id": row.id,
            "format": row.format,
            "stage_key": row.stage_key,
            "participants": len(ids),
        },
        actor,
        clock,
        step=_step_row(session, engagement_id, step_key),
    )
    return ConsultationView(row, ids)


def update_consultation(
    session: Session,
    *,
    engagement_id: str,
    consultation_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
) -> ConsultationView:
    """Changes any of ``step_key``, ``held_on``, ``format``, ``stakeholder_ids``, ``summary``, ``outcome``."""
    allowed = {"step_key", "held_on", "format", "stakeholder_ids", "summary", "outcome"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(
            Message(
                "consultation.unknown_field",
                f"{'Champs inconnus' if len(unknown) > 1 else 'Champ inconnu'} : {', '.join(unknown)}",
                f"Unknown field(s): {', '.join(unknown)}",
                details={"fields": unknown, "allowed": sorted(allowed)},
            )
        )
    current = get_consultation(session, engagement_id, consultation_id)
    _, model = engagement_of(session, engagement_id)
    row = current.row
    values = {
        "step_key": row.step_key,
        "held_on": row.held_on,
        "format": row.format,
        "stakeholder_ids": current.stakeholder_ids,
        "summary": row.summary,
        "outcome": row.outcome,
        **changes,
    }
    data, problems = _consultation_data(**values)
    problems += _consultation_text_problems(changes)
    problems += _step_problems(model, values["step_key"])
    problems += _participant_problems(session, engagement_id, values["stakeholder_ids"])
    _refuse_consultation(problems)
    assert data is not None
    row.step_key, row.stage_key = values["step_key"], model.stage_of_step[values["step_key"]]
    row.held_on, row.format, row.summary, row.outcome = (
        data.date,
        data.format.value,
        data.summary,
        data.outcome,
    )
    ids = sorted(set(values["stakeholder_ids"]))
    if ids != current.stakeholder_ids:
        session.execute(
            delete(ConsultationParticipantRow).where(ConsultationParticipantRow.consultation_id == row.id)
        )
        session.execute(
            insert(_PARTICIPANTS),
            [{"consultation_id": row.id, "stakeholder_id": stakeholder_id} for stakeholder_id in ids],
        )
    session.flush()
    chain.append(session, "consultation", consultation_values(row, ids), at=clock.now())
    log_change(
        session,
        engagement_id,
        "consultation_updated",
        {"consultation_id": row.id, "fields": sorted(changes)},
        actor,
        clock,
        step=_step_row(session, engagement_id, row.step_key),
    )
    session.flush()
    return ConsultationView(row, ids)


def delete_consultation(
    session: Session, *, engagement_id: str, consultation_id: int, actor: ActorRef, clock: Clock
) -> None:
    view = get_consultation(session, engagement_id, consultation_id)
    row = view.row
    session.execute(
        delete(ConsultationParticipantRow).where(ConsultationParticipantRow.consultation_id == row.id)
    )
    step = _step_row(session, engagement_id, row.step_key)
    session.delete(row)
    chain.append(
        session,
        "consultation_deleted",
        consultation_deleted_values(engagement_id, consultation_id),
        at=clock.now(),
    )
    log_change(
        session,
        engagement_id,
        "consultation_deleted",
        {"consultation_id": consultation_id},
        actor,
        clock,
        step=step,
    )
    session.flush()


def _consultation_data(
    step_key: str,
    held_on: date | str,
    format: str,
    stakeholder_ids: Sequence[int],
    summary: str,
    outcome: str,
) -> tuple[ConsultationData | None, list[Message]]:
    try:
        data = ConsultationData(
            id="consultation",
            date=held_on,  # type: ignore[arg-type]  # records accept ISO dates
            format=vocabulary_term(ConsultationFormat, format),
            stakeholder_ids=frozenset(str(value) for value in stakeholder_ids),
            step_key=step_key,
            summary=summary or "",
            outcome=outcome or "",
        )
    except DomainError as invalid:
        return None, list(invalid.reasons)
    return data, []


def _consultation_text_problems(fields: Mapping[str, Any]) -> list[Message]:
    return text_problems({"step_key": fields.get("step_key")}) + text_problems(
        {name: fields.get(name) for name in ("summary", "outcome")}, multiline=True
    )


def _step_problems(model: ProcessModel, step_key: str) -> list[Message]:
    if step_key in model.steps_by_key:
        return []
    return [
        Message(
            "consultation.unknown_step",
            f"Étape inconnue dans le modèle de l'accompagnement : « {step_key} ».",
            f"Unknown step in the engagement's model: '{step_key}'.",
            "step_key",
            {"step_key": step_key},
        )
    ]


def _participant_problems(
    session: Session, engagement_id: str, stakeholder_ids: Sequence[int]
) -> list[Message]:
    wanted = set(stakeholder_ids)
    if not wanted:
        return []
    found = set(
        session.scalars(
            select(StakeholderRow.id).where(
                StakeholderRow.engagement_id == engagement_id, StakeholderRow.id.in_(wanted)
            )
        )
    )
    unknown = sorted(wanted - found)
    if not unknown:
        return []
    listed = ", ".join(map(str, unknown))
    return [
        Message(
            "consultation.unknown_stakeholder",
            f"{'Parties prenantes inconnues' if len(unknown) > 1 else 'Partie prenante inconnue'} "
            f"dans cet accompagnement : {listed}.",
            f"Unknown stakeholder(s) in this engagement: {listed}.",
            "stakeholder_ids",
            {"unknown": unknown},
        )
    ]


def _refuse_consultation(problems: list[Message]) -> None:
    if problems:
        raise InvalidInput(
            Message(
                "consultation.invalid",
                f"Consultation refusée : {plural(len(problems), 'problème')}.",
                f"Consultation refused: {len(problems)} problem(s).",
                details={"count": len(problems)},
            ),
            reasons=problems,
        )


def _step_row(session: Session, engagement_id: str, step_key: str) -> StepRow | None:
    return session.scalar(
        select(StepRow).where(StepRow.engagement_id == engagement_id, StepRow.step_key == step_key)
    )
