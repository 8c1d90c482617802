"""The consultation log over HTTP."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeDate, SafeText
from gouvernance.api.permissions import EngagementIdPath
from gouvernance.api.stakeholders.access import (
    ENGAGEMENT_PREFIX,
    TAGS,
    ReadAccess,
    WriteAccess,
)
from gouvernance.api.writes import WritesDep
from gouvernance.stakeholders import consultations

router = APIRouter(prefix=ENGAGEMENT_PREFIX, tags=TAGS)

ConsultationIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la consultation.")]


class ConsultationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "step_key": "entretiens_acteurs",
                    "held_on": "2026-03-10",
                    "format": "atelier",
                    "stakeholder_ids": [12, 15],
                    "summary": "Atelier de médiation",
                    "outcome": "Points d'accord consignés",
                }
            ]
        },
    )
    step_key: SafeText = Field(min_length=1, max_length=80)
    held_on: SafeDate
    format: Literal["reunion_publique", "atelier", "questionnaire", "entretien", "plateforme_en_ligne"]
    stakeholder_ids: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(min_length=1, max_length=5000)
    summary: MultilineText = Field(default="", max_length=10_000)
    outcome: MultilineText = Field(default="", max_length=10_000)


class ConsultationOut(BaseModel):
    id: int
    step_key: str
    stage_key: str
    held_on: date
    format: str
    summary: str
    outcome: str
    stakeholder_ids: list[int]
    recorded_by: str


def _consultation_out(view: consultations.ConsultationView) -> ConsultationOut:
    return ConsultationOut.model_validate(view.as_dict())


@router.get("/consultations", summary="Le journal des consultations")
def list_consultations(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep
) -> list[ConsultationOut]:
    with context.db.reading() as session:
        return [_consultation_out(view) for view in consultations.list_consultations(session, engagement_id)]


@router.post(
    "/consultations",
    status_code=201,
    summary="Enregistrer une consultation",
    responses={201: {"description": "Enregistrée."}, **errors(404, 422)},
)
def add_consultation(
    engagement_id: EngagementIdPath,
    body: ConsultationIn,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        view = consultations.add_consultation(
            session,
            engagement_id=engagement_id,
            step_key=body.step_key,
            held_on=body.held_on,
            format=body.format,
            stakeholder_ids=body.stakeholder_ids,
            summary=body.summary,
            outcome=body.outcome,
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(_consultation_out(view), 201)

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.get("/consultations/{consultation_id}", summary="Une consultation", responses=errors(404))
def get_consultation(
    engagement_id: EngagementIdPath,
    consultation_id: ConsultationIdPath,
    access: ReadAccess,
    context: ContextDep,
) -> ConsultationOut:
    with context.db.reading() as session:
        return _consultation_out(consultations.get_consultation(session, engagement_id, consultation_id))
