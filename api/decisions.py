"""The decision register of an engagement: read it, and record a decision (the engagement's leads)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeDate, SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.decisions import service
from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import MAX_VOTES, DecidingBody, DecisionData

READ_DECISIONS = Permission("decisions.read", Scope.ENGAGEMENT)
RECORD_DECISIONS = Permission("decisions.record", Scope.ENGAGEMENT, LEAD_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_DECISIONS))]
RecordAccess = Annotated[Access, Depends(requires(RECORD_DECISIONS))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Registre des décisions"])
Votes = Annotated[int | None, Field(default=None, ge=0, le=MAX_VOTES)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "number": "2027-014",
                    "title": "Adoption de la charte de la participation citoyenne",
                    "decided_on": "2027-03-14",
                    "body": "conseil_municipal",
                    "legal_basis": "CGCT L2121-29",
                    "votes_for": 23,
                    "votes_against": 4,
                    "abstentions": 2,
                    "transmitted_on": "2027-03-16",
                    "published_on": "2027-03-18",
                    "step_key": "deliberation_cadre",
                }
            ]
        },
    )
    number: SafeText = Field(min_length=1, max_length=40, description="Le numéro que lui donne l'instance.")
    title: SafeText = Field(min_length=1, max_length=300)
    text: MultilineText = Field(default="", max_length=50_000, description="Le dispositif, ou son résumé.")
    decided_on: SafeDate
    body: DecidingBody
    legal_basis: SafeText = Field(default="", max_length=200, description="L'article du CGCT, par exemple.")
    votes_for: Votes = None
    votes_against: Votes = None
    abstentions: Votes = None
    transmitted_on: SafeDate | None = Field(default=None, description="Transmission au contrôle de légalité.")
    published_on: SafeDate | None = None
    step_key: str | None = Field(default=None, max_length=80, pattern=r"^[a-z][a-z0-9_\-]*$")
    consultation_ids: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(
        default_factory=list, max_length=200
    )
    public: bool = Field(default=True, description="Publiée dans le registre public.")


class DecisionOut(BaseModel):
    id: int
    number: str
    title: str
    text: str
    decided_on: date
    body: DecidingBody
    legal_basis: str
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    transmitted_on: date | None
    published_on: date | None
    step_key: str | None
    consultation_ids: list[int]
    public: bool


def _out(row: DecisionRow) -> DecisionOut:
    return DecisionOut.model_validate(row, from_attributes=True)


@router.get(
    "/decisions", summary="Le registre des décisions", response_model=list[DecisionOut], responses=errors(404)
)
def list_decisions(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        rows = service.decisions(session, engagement_id)
    return json_response([_out(row) for row in rows])


@router.post(
    "/decisions",
    status_code=201,
    summary="Inscrire une décision au registre",
    response_model=DecisionOut,
    responses={201: {"description": "Inscrite."}, **errors(404, 409, 422)},
)
def record_decision(
    engagement_id: EngagementIdPath,
    body: DecisionIn,
    access: RecordAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        data = DecisionData(**{**body.model_dump(), "consultation_ids": tuple(body.consultation_ids)})
        row = service.record_decision(
            session, engagement_id=engagement_id, data=data, actor=access.actor, clock=context.clock
        )
        return json_response(_out(row), 201, {"Location": f"/engagements/{engagement_id}/decisions"})

    return writes.run(access.user.login, body.model_dump(mode="json"), work)
