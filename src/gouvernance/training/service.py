"""Training sessions and their attendees: plan a session, change it, mark it held or cancelled, list who is
expected and take the attendance.

Two rules of the field: a training financed by the élus' DIF (droit individuel à la formation) is for élus
and must come from an organisme agréé by the ministry of the Interior; attendance is taken only at a session
that was held."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.checks import (
    check_version,
    dates_problems,
    list_problems,
    texts_problems,
    unknown_fields_message,
)
from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import engagement_or_not_found, log_change
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound
from gouvernance.training.records import AttendeeRow, TrainingSessionRow

MAX_HOURS = Decimal(200)


class Audience(StrEnum):
    ELUS = "elus"
    AGENTS = "agents"
    PARTENAIRES = "partenaires"

    @property
    def label(self) -> str:
        return {"elus": "élus", "agents": "agents", "partenaires": "partenaires"}[self.value]


class SessionStatus(StrEnum):
    PREVUE = "prevue"
    TENUE = "tenue"
    ANNULEE = "annulee"

    @property
    def label(self) -> str:
        return {"prevue": "prévue", "tenue": "tenue", "annulee": "annulée"}[self.value]


@dataclass(frozen=True)
class SessionData:
    title: str
    held_on: date
    duration_hours: Decimal
    audience: Audience
    trainer: str
    trainer_approved: bool = False
    dif_funded: bool = False
    place: str = ""
    objectives: tuple[str, ...] = field(default_factory=tuple)
    status: SessionStatus = SessionStatus.PREVUE


@dataclass(frozen=True)
class AttendeeData:
    name: str
    quality: str = ""
    organisation: str = ""
    present: bool | None = None


SESSION_FIELDS = frozenset(f.name for f in dataclasses.fields(SessionData))
ATTENDEE_FIELDS = frozenset(f.name for f in dataclasses.fields(AttendeeData))


# Sessions


def add_session(
    session: Session, *, engagement_id: str, data: SessionData, actor: ActorRef, clock: Clock
) -> TrainingSessionRow:
    """Plans a session. Every problem is reported at once."""
    engagement_or_not_found(session, engagement_id)
    _check_session(data)
    now = clock.now()
    row = TrainingSessionRow(engagement_id=engagement_id, recorded_by=actor.login, created_at=now, version=1)
    _fill_session(row, data, now)
    _flush(session, row, _title_taken(data.title))
    log_change(
        session,
        engagement_id,
        "training_session_added",
        {
            "session_id": row.id,
            "title": data.title,
            "audience": data.audience.value,
            "held_on": str(data.held_on),
        },
        actor,
        clock,
    )
    return row


def update_session(
    session: Session,
    *,
    engagement_id: str,
    session_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
    expected_version: int | None = None,
) -> TrainingSessionRow:
    """Changes some fields (the status among them), validated together as a whole session. A session with
    attendance taken cannot go back to planned or cancelled: its attendance would no longer mean anything."""
    row = session_row(session, engagement_id, session_id)
    check_version("la séance", row.version, expected_version)
    if unknown := sorted(set(changes) - SESSION_FIELDS):
        raise InvalidInput(unknown_fields_message(unknown, sorted(SESSION_FIELDS)))
    data = dataclasses.replace(session_data(row), **dict(changes))
    problems = _session_problems(data)
    if data.status != SessionStatus.TENUE and _attendance_taken(session, row.id):
        problems.append(
            Message(
                "training.attendance_taken",
                "l'émargement de cette séance est déjà saisi : elle ne peut redevenir "
                f"{SessionStatus(data.status).label}",
                "attendance was taken at this session: it stays held",
                path="status",
            )
        )
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    _fill_session(row, data, clock.now())
    row.version += 1
    _flush(session, row, _title_taken(data.title))
    log_change(
        session,
        engagement_id,
        "training_session_updated",
        {"session_id": row.id, "fields": sorted(changes), "status": row.status, "version": row.version},
        actor,
        clock,
    )
    return row


def delete_session(
    session: Session, *, engagement_id: str, session_id: int, actor: ActorRef, clock: Clock
) -> None:
    """Removes the session and its list of attendees."""
    row = session_row(session, engagement_id, session_id)
    title = row.title
    session.execute(delete(AttendeeRow).where(AttendeeRow.session_id == row.id))
    session.delete(row)
    session.flush()
    log_change(
        session,
        engagement_id,
        "training_session_removed",
        {"session_id": session_id, "title": title},
        actor,
        clock,
    )


def sessions(session: Session, engagement_id: str) -> list[TrainingSessionRow]:
    """The sessions in date order."""
    engagement_or_not_found(session, engagement_id)
    return list(
        session.scalars(
            select(TrainingSessionRow)
            .where(TrainingSessionRow.engagement_id == engagement_id)
            .order_by(TrainingSessionRow.held_on, TrainingSessionRow.id)
        )
    )


def session_row(session: Session, engagement_id: str, session_id: int) -> TrainingSessionRow:
    engagement_or_not_found(session, engagement_id)
    row = session.get(TrainingSessionRow, session_id)
    if row is None or row.engagement_id != engagement_id:
        raise NotFound(
            Message(
                "training.session_not_found",
                f"Séance de formation introuvable : {session_id}",
                f"Training session not found: {session_id}",
                details={"session_id": session_id},
            )
        )
    return row


def session_data(row: TrainingSessionRow) -> SessionData:
    return SessionData(
        title=row.title,
        held_on=row.held_on,
        duration_hours=row.duration_hours,
        audience=Audience(row.audience),
        trainer=row.trainer,
        trainer_approved=row.trainer_approved,
        dif_funded=row.dif_funded,
        place=row.place,
        objectives=tuple(row.objectives),
        status=SessionStatus(row.status),
    )


# Attendees


def add_attendee(
    session: Session,
    *,
    engagement_id: str,
    session_id: int,
    data: AttendeeData,
    actor: ActorRef,
    clock: Clock,
) -> AttendeeRow:
    """Adds a person expected at the session (with their presence, if the session was held)."""
    parent = session_row(session, engagement_id, session_id)
    _check_attendee(parent, data)
    now = clock.now()
    row = AttendeeRow(session_id=parent.id, created_at=now, version=1)
    _fill_attendee(row, data, now)
    _flush(session, row, _name_taken(data.name))
    log_change(
        session,
        engagement_id,
        "training_attendee_added",
        {"session_id": parent.id, "attendee_id": row.id, "present": data.present},
        actor,
        clock,
    )
    return row


def update_attendee(
    session: Session,
    *,
    engagement_id: str,
    session_id: int,
    attendee_id: int,
    changes: Mapping[str, Any],
    actor: ActorRef,
    clock: Clock,
    expected_version: int | None = None,
) -> AttendeeRow:
    """Changes an attendee; ``{"present": true}`` takes their attendance."""
    parent = session_row(session, engagement_id, session_id)
    row = attendee_row(session, parent, attendee_id)
    check_version("la personne inscrite", row.version, expected_version)
    if unknown := sorted(set(changes) - ATTENDEE_FIELDS):
        raise InvalidInput(unknown_fields_message(unknown, sorted(ATTENDEE_FIELDS)))
    data = dataclasses.replace(attendee_data(row), **dict(changes))
    _check_attendee(parent, data)
    _fill_attendee(row, data, clock.now())
    row.version += 1
    _flush(session, row, _name_taken(data.name))
    log_change(
        session,
        engagement_id,
        "training_attendee_updated",
        {"session_id": parent.id, "attendee_id": row.id, "fields": sorted(changes), "present": row.present},
        actor,
        clock,
    )
    return row


def delete_attendee(
    session: Session, *, engagement_id: str, session_id: int, attendee_id: int, actor: ActorRef, clock: Clock
) -> None:
    parent = session_row(session, engagement_id, session_id)
    row = attendee_row(session, parent, attendee_id)
    session.delete(row)
    session.flush()
    log_change(
        session,
        engagement_id,
        "training_attendee_removed",
        {"session_id": parent.id, "attendee_id": attendee_id},
        actor,
        clock,
    )


def attendees(session: Session, engagement_id: str, session_id: int) -> list[AttendeeRow]:
    parent = session_row(session, engagement_id, session_id)
    return list(
        session.scalars(
            select(AttendeeRow).where(AttendeeRow.session_id == parent.id).order_by(AttendeeRow.id)
        )
    )


def attendee_row(session: Session, parent: TrainingSessionRow, attendee_id: int) -> AttendeeRow:
    row = session.get(AttendeeRow, attendee_id)
    if row is None or row.session_id != parent.id:
        raise NotFound(
            Message(
                "training.attendee_not_found",
                f"Personne inscrite introuvable à cette séance : {attendee_id}",
                f"Attendee not found at this session: {attendee_id}",
                details={"attendee_id": attendee_id},
            )
        )
    return row


def attendee_data(row: AttendeeRow) -> AttendeeData:
    return AttendeeData(
        name=row.name, quality=row.quality, organisation=row.organisation, present=row.present
    )


# Checks


def _check_session(data: SessionData) -> None:
    problems = _session_problems(data)
    if problems:
        raise InvalidInput(problems[0], reasons=problems)


def _session_problems(data: SessionData) -> list[Message]:
    problems = texts_problems(
        {"title": (data.title, 300), "trainer": (data.trainer, 200), "place": (data.place, 300)},
        required=["title", "trainer"],
    )
    problems += list_problems("objectives", data.objectives)
    problems += dates_problems({"held_on": data.held_on})
    hours = data.duration_hours
    if not (hours.is_finite() and Decimal(0) < hours <= MAX_HOURS):
        problems.append(
            Message(
                "training.bad_duration",
                f"« duration_hours » : durée en heures attendue, entre 0 et {MAX_HOURS} (exclu 0)",
                f"'duration_hours': hours expected, above 0 and at most {MAX_HOURS}",
                path="duration_hours",
            )
        )
    if data.dif_funded and Audience(data.audience) != Audience.ELUS:
        problems.append(
            Message(
                "training.dif_for_elus_only",
                "le DIF des élus ne finance que des formations destinées aux élus",
                "the élus' DIF only finances training for elected officials",
                path="dif_funded",
            )
        )
    if data.dif_funded and not data.trainer_approved:
        problems.append(
            Message(
                "training.dif_needs_approved_body",
                "une formation financée par le DIF des élus doit être dispensée par un organisme agréé "
                "par le ministère de l'Intérieur",
                "a training financed by the élus' DIF must be given by a body approved by the ministry "
                "of the Interior",
                path="trainer_approved",
            )
        )
    return problems


def _check_attendee(parent: TrainingSessionRow, data: AttendeeData) -> None:
    problems = texts_problems(
        {"name": (data.name, 200), "quality": (data.quality, 200), "organisation": (data.organisation, 200)},
        required=["name"],
    )
    if data.present is not None and parent.status != SessionStatus.TENUE.value:
        problems.append(
            Message(
                "training.session_not_held",
                f"la séance « {parent.title} » est {SessionStatus(parent.status).label} : "
                "l'émargement se saisit une fois la séance tenue",
                f"session '{parent.title}' is {parent.status}: attendance is taken once it was held",
                path="present",
            )
        )
    if problems:
        raise InvalidInput(problems[0], reasons=problems)


def _attendance_taken(session: Session, session_id: int) -> bool:
    return (
        session.scalar(
            select(AttendeeRow.id)
            .where(AttendeeRow.session_id == session_id, AttendeeRow.present.is_not(None))
            .limit(1)
        )
        is not None
    )


def _fill_session(row: TrainingSessionRow, data: SessionData, now: datetime) -> None:
    row.title = data.title.strip()
    row.held_on = data.held_on
    row.duration_hours = data.duration_hours
    row.audience = Audience(data.audience).value
    row.trainer = data.trainer.strip()
    row.trainer_approved = data.trainer_approved
    row.dif_funded = data.dif_funded
    row.place = data.place.strip()
    row.objectives = [item.strip() for item in data.objectives]
    row.status = SessionStatus(data.status).value
    row.updated_at = now


def _fill_attendee(row: AttendeeRow, data: AttendeeData, now: datetime) -> None:
    row.name = data.name.strip()
    row.quality = data.quality.strip()
    row.organisation = data.organisation.strip()
    row.present = data.present
    row.updated_at = now


def _title_taken(title: str) -> Message:
    return Message(
        "training.session_exists",
        f"une séance s'intitule déjà « {title} »",
        f"a session is already called '{title}'",
        path="title",
    )


def _name_taken(name: str) -> Message:
    return Message(
        "training.attendee_exists",
        f"« {name} » est déjà inscrit(e) à cette séance",
        f"'{name}' is already expected at this session",
        path="name",
    )


def _flush(session: Session, row: TrainingSessionRow | AttendeeRow, taken: Message) -> None:
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        raise Conflict(taken) from None
