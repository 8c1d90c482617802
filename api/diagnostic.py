"""The diagnostic of an engagement: its findings (needs, assets, critical points, projects under way), each
traced to the consultations and stakeholders it came from."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import PARTICIPANT_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.diagnostic import service
from gouvernance.diagnostic.records import FindingRow
from gouvernance.diagnostic.service import FindingData, FindingKind

READ_DIAGNOSTIC = Permission("diagnostic.read", Scope.ENGAGEMENT)
RECORD_FINDINGS = Permission("diagnostic.record", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_DIAGNOSTIC))]
RecordAccess = Annotated[Access, Depends(requires(RECORD_FINDINGS))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Diagnostic"])
Ids = list[Annotated[int, Field(ge=1, le=2**53)]]


class FindingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "besoin",
                    "title": "Des lieux de rencontre dans les hameaux",
                    "detail": "Exprimé lors des ateliers de quartier.",
                    "consultation_ids": [3],
                }
            ]
        },
    )
    kind: FindingKind
    title: SafeText = Field(min_length=1, max_length=300)
    detail: MultilineText = Field(default="", max_length=10_000)
    stakeholder_ids: Ids = Field(default_factory=list, max_length=500)
    consultation_ids: Ids = Field(default_factory=list, max_length=500)


class FindingOut(BaseModel):
    id: int
    kind: FindingKind
    title: str
    detail: str
    stakeholder_ids: list[int]
    consultation_ids: list[int]


def _out(row: FindingRow) -> FindingOut:
    return FindingOut.model_validate(row, from_attributes=True)


@router.get("/findings", summary="Le diagnostic", response_model=list[FindingOut], responses=errors(404))
def list_findings(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        return json_response([_out(row) for row in service.findings(session, engagement_id)])


@router.post(
    "/findings",
    status_code=201,
    summary="Inscrire un constat du diagnostic (besoin, atout, point critique, projet en cours)",
    response_model=FindingOut,
    responses={201: {"description": "Inscrit."}, **errors(404, 422)},
)
def record_finding(
    engagement_id: EngagementIdPath,
    body: FindingIn,
    access: RecordAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        data = FindingData(
            body.kind, body.title, body.detail, tuple(body.stakeholder_ids), tuple(body.consultation_ids)
        )
        row = service.record_finding(
            session, engagement_id=engagement_id, data=data, actor=access.actor, clock=context.clock
        )
        return json_response(_out(row), 201, {"Location": f"/engagements/{engagement_id}/findings"})

    return writes.run(access.user.login, body.model_dump(mode="json"), work)
