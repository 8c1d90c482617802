"""Training sessions and their attendance: read them and the review (the engagement's people); plan,
change and remove sessions, list their expected attendees and take the attendance (the engagement's leads
and agents, who organise the sessions)."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeDate, SafeText
from gouvernance.api.patches import patch_changes
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.training import service
from gouvernance.training.records import AttendeeRow, TrainingSessionRow
from gouvernance.training.service import MAX_HOURS, AttendeeData, Audience, SessionData, SessionStatus
from gouvernance.training.views import Attendance, training_review

READ_TRAINING = Permission("training.read", Scope.ENGAGEMENT)
ORGANISE_TRAINING = Permission("training.organise", Scope.ENGAGEMENT, LEAD_ROLES | {"agent"})
ReadAccess = Annotated[Access, Depends(requires(READ_TRAINING))]
OrganiseAccess = Annotated[Access, Depends(requires(ORGANISE_TRAINING))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Formation des élus et agents"])
SessionIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la séance.")]
AttendeeIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la personne inscrite.")]
Item = Annotated[SafeText, Field(min_length=1, max_length=500)]
Hours = Annotated[Decimal, Field(gt=0, le=MAX_HOURS, max_digits=4, decimal_places=1)]
Version = Annotated[
    int | None, Field(default=None, ge=1, le=2**31, description="Version lue (verrou optimiste).")
]


class SessionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Le rôle de l'élu dans une gouvernance partagée",
                    "held_on": "2026-06-13",
                    "duration_hours": "3.5",
                    "audience": "elus",
                    "trainer": "Institut Territoires et Participation",
                    "trainer_approved": True,
                    "dif_funded": True,
                    "place": "Salle du conseil communautaire",
                    "objectives": ["Situer le rôle de l'élu", "Arbitrer et rendre compte"],
                }
            ]
        },
    )
    title: SafeText = Field(min_length=1, max_length=300)
    held_on: SafeDate
    duration_hours: Hours = Field(description="Durée en heures.")
    audience: Audience
    trainer: SafeText = Field(min_length=1, max_length=200)
    trainer_approved: bool = Field(
        default=False, description="Organisme agréé par le ministère de l'Intérieur."
    )
    dif_funded: bool = Field(default=False, description="Financée par le DIF des élus.")
    place: SafeText = Field(default="", max_length=300)
    objectives: list[Item] = Field(default_factory=list, max_length=50)
    status: SessionStatus = SessionStatus.PREVUE


class SessionPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "tenue", "version": 1}]}
    )
    title: SafeText | None = Field(default=None, min_length=1, max_length=300)
    held_on: SafeDate | None = None
    duration_hours: Hours | None = None
    audience: Audience | None = None
    trainer: SafeText | None = Field(default=None, min_length=1, max_length=200)
    trainer_approved: bool | None = None
    dif_funded: bool | None = None
    place: SafeText | None = Field(default=None, max_length=300)
    objectives: list[Item] | None = Field(default=None, max_length=50)
    status: SessionStatus | None = None
    version: Version = None


class AttendanceOut(BaseModel):
    expected: int
    present: int
    absent: int
    rate: Decimal | None = Field(description="Présents parmi les émargements saisis, en pour cent.")


class SessionOut(BaseModel):
    id: int
    title: str
    held_on: date
    duration_hours: Decimal
    audience: Audience
    trainer: str
    trainer_approved: bool
    dif_funded: bool
    place: str
    objectives: list[str]
    status: SessionStatus
    version: int


class AttendeeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Sophie Bernard", "quality": "Vice-présidente à la citoyenneté", "present": None}
            ]
        },
    )
    name: SafeText = Field(min_length=1, max_length=200)
    quality: SafeText = Field(default="", max_length=200, description="Rôle ou qualité.")
    organisation: SafeText = Field(default="", max_length=200)
    present: bool | None = Field(default=None, description="Présent ou absent ; vide tant que non émargé.")


class AttendeePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"present": True}]})
    name: SafeText | None = Field(default=None, min_length=1, max_length=200)
    quality: SafeText | None = Field(default=None, max_length=200)
    organisation: SafeText | None = Field(default=None, max_length=200)
    present: bool | None = None
    version: Version = None


class AttendeeOut(BaseModel):
    id: int
    name: str
    quality: str
    organisation: str
    present: bool | None
    version: int


class SessionReviewOut(BaseModel):
    session: SessionOut
    attendance: AttendanceOut


class AudienceReviewOut(BaseModel):
    audience: Audience
    attendance: AttendanceOut


class ReviewOut(BaseModel):
    held: int
    planned: int
    cancelled: int
    trainee_hours: Decimal = Field(description="Durée des séances tenues × personnes présentes.")
    overall: AttendanceOut
    by_audience: list[AudienceReviewOut]
    sessions: list[SessionReviewOut]


def _session_out(row: TrainingSessionRow) -> SessionOut:
    return SessionOut.model_validate(row, from_attributes=True)


def _attendee_out(row: AttendeeRow) -> AttendeeOut:
    return AttendeeOut.model_validate(row, from_attributes=True)


def _attendance(attendance: Attendance) -> AttendanceOut:
    return AttendanceOut(
        expected=attendance.expected,
        present=attendance.present,
        absent=attendance.absent,
        rate=attendance.rate,
    )


SESSION_NOT_NULL = frozenset(SessionPatch.model_fields) - {"version"}
ATTENDEE_NOT_NULL = frozenset({"name", "quality", "organisation"})


@router.get(
    "/training/sessions",
    summary="Les séances de formation",
    response_model=list[SessionOut],
    responses=errors(404),
)
def list_sessions(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        rows = service.sessions(session, engagement_id)
    return json_response([_session_out(row) for row in rows])


@router.get(
    "/training/review",
    summary="Le bilan des formations : séances tenues et prévues, taux de présence par séance et par public",
    response_model=ReviewOut,
    responses=errors(404),
)
def review(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        result = training_review(session, engagement_id)
    return json_response(
        ReviewOut(
            held=result.held,
            planned=result.planned,
            cancelled=result.cancelled,
            trainee_hours=result.trainee_hours,
            overall=_attendance(result.overall),
            by_audience=[
                AudienceReviewOut(audience=audience, attendance=_attendance(attendance))
                for audience, attendance in result.by_audience.items()
            ],
            sessions=[
                SessionReviewOut(session=_session_out(view.session), attendance=_attendance(view.attendance))
                for view in result.sessions
            ],
        )
    )


@router.post(
    "/training/sessions",
    status_code=201,
    summary="Planifier une séance de formation",
    response_model=SessionOut,
    responses={201: {"description": "Planifiée."}, **errors(404, 409, 422)},
)
def add_session(
    engagement_id: EngagementIdPath,
    body: SessionIn,
    access: OrganiseAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        data = SessionData(**{**body.model_dump(), "objectives": tuple(body.objectives)})
        row = service.add_session(
            session, engagement_id=engagement_id, data=data, actor=access.actor, clock=context.clock
        )
        return json_response(
            _session_out(row), 201, {"Location": f"/engagements/{engagement_id}/training/sessions/{row.id}"}
        )

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.patch(
    "/training/sessions/{session_id}",
    summary="Modifier une séance (dont son statut : prévue, tenue, annulée)",
    response_model=SessionOut,
    responses=errors(404, 409, 422),
)
def update_session(
    engagement_id: EngagementIdPath,
    session_id: SessionIdPath,
    body: SessionPatch,
    access: OrganiseAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    changes = patch_changes(body, SESSION_NOT_NULL)

    def work(session: Session) -> Response:
        row = service.update_session(
            session, engagement_id=engagement_id, session_id=session_id, changes=changes,
            actor=access.actor, clock=context.clock, expected_version=body.version,
        )  # fmt: skip
        return json_response(_session_out(row))

    return writes.run(access.user.login, {"session": session_id, **body.model_dump(mode="json")}, work)


@router.delete(
    "/training/sessions/{session_id}",
    status_code=204,
    summary="Retirer une séance et sa liste d'inscrits",
    responses=errors(404),
)
def delete_session(
    engagement_id: EngagementIdPath,
    session_id: SessionIdPath,
    access: OrganiseAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        service.delete_session(
            session,
            engagement_id=engagement_id,
            session_id=session_id,
            actor=access.actor,
            clock=context.clock,
        )
        return Response(status_code=204)

    return writes.run(access.user.login, {"delete_session": session_id}, work)


@router.get(
    "/training/sessions/{session_id}/attendees",
    summary="Les personnes inscrites à une séance, avec leur émargement",
    response_model=list[AttendeeOut],
    responses=errors(404),
)
def list_attendees(
    engagement_id: EngagementIdPath, session_id: SessionIdPath, access: ReadAccess, context: ContextDep
) -> Response:
    with context.db.reading() as session:
        rows = service.attendees(session, engagement_id, session_id)
    return json_response([_attendee_out(row) for row in rows])


@router.post(
    "/training/sessions/{session_id}/attendees",
    status_code=201,
    summary="Inscrire une personne à une séance",
    response_model=AttendeeOut,
    responses={201: {"description": "Inscrite."}, **errors(404, 409, 422)},
)
def add_attendee(
    engagement_id: EngagementIdPath,
    session_id: SessionIdPath,
    body: AttendeeIn,
    access: OrganiseAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        data = AttendeeData(**body.model_dump())
        row = service.add_attendee(
            session, engagement_id=engagement_id, session_id=session_id, data=data,
            actor=access.actor, clock=context.clock,
        )  # fmt: skip
        location = f"/engagements/{engagement_id}/training/sessions/{session_id}/attendees"
        return json_response(_attendee_out(row), 201, {"Location": location})

    return writes.run(access.user.login, {"session": session_id, **body.model_dump(mode="json")}, work)


@router.patch(
    "/training/sessions/{session_id}/attendees/{attendee_id}",
    summary="Modifier une personne inscrite, ou saisir son émargement (présent ou absent)",
    response_model=AttendeeOut,
    responses=errors(404, 409, 422),
)
def update_attendee(
    engagement_id: EngagementIdPath,
    session_id: SessionIdPath,
    attendee_id: AttendeeIdPath,
    body: AttendeePatch,
    access: OrganiseAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    changes = patch_changes(body, ATTENDEE_NOT_NULL)

    def work(session: Session) -> Response:
        row = service.update_attendee(
            session, engagement_id=engagement_id, session_id=session_id, attendee_id=attendee_id,
            changes=changes, actor=access.actor, clock=context.clock, expected_version=body.version,
        )  # fmt: skip
        return json_response(_attendee_out(row))

    request = {"session": session_id, "attendee": attendee_id, **body.model_dump(mode="json")}
    return writes.run(access.user.login, request, work)


@router.delete(
    "/training/sessions/{session_id}/attendees/{attendee_id}",
    status_code=204,
    summary="Désinscrire une personne d'une séance",
    responses=errors(404),
)
def delete_attendee(
    engagement_id: EngagementIdPath,
    session_id: SessionIdPath,
    attendee_id: AttendeeIdPath,
    access: OrganiseAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        service.delete_attendee(
            session, engagement_id=engagement_id, session_id=session_id, attendee_id=attendee_id,
            actor=access.actor, clock=context.clock,
        )  # fmt: skip
        return Response(status_code=204)

    return writes.run(access.user.login, {"delete_attendee": attendee_id, "session": session_id}, work)
