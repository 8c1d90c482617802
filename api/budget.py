"""The participatory budget over HTTP: proposals (anyone taking part may submit one; the engagement's leads
and agents review them), vote counts by channel, closing the vote, and the results."""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.budget import service
from gouvernance.budget.records import ProposalRow
from gouvernance.budget.service import ProposalStatus, VoteChannel

READ_BUDGET = Permission("budget.read", Scope.ENGAGEMENT)
SUBMIT_PROPOSAL = Permission("budget.submit", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
REVIEW_PROPOSALS = Permission("budget.review", Scope.ENGAGEMENT, LEAD_ROLES | {"agent"})
COUNT_VOTES = Permission("budget.count", Scope.ENGAGEMENT, LEAD_ROLES | {"agent"})
CLOSE_VOTE = Permission("budget.close", Scope.ENGAGEMENT, LEAD_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_BUDGET))]
SubmitAccess = Annotated[Access, Depends(requires(SUBMIT_PROPOSAL))]
ReviewAccess = Annotated[Access, Depends(requires(REVIEW_PROPOSALS))]
CountAccess = Annotated[Access, Depends(requires(COUNT_VOTES))]
CloseAccess = Annotated[Access, Depends(requires(CLOSE_VOTE))]

router = APIRouter(prefix="/engagements/{engagement_id}/budget", tags=["Budget participatif"])
NumberPath = Annotated[int, Path(ge=1, le=1_000_000, description="Numéro de la proposition.")]
Euros = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), max_digits=14, decimal_places=2)]


class ProposalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Jardin partagé du Clos", "district": "Centre-ville"}]},
    )
    title: SafeText = Field(min_length=1, max_length=300)
    description: MultilineText = Field(default="", max_length=10_000)
    district: SafeText = Field(default="", max_length=120, description="Quartier ou commune.")
    estimated_cost: Euros | None = None


class CostIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"estimated_cost": "28500.00"}]}
    )
    estimated_cost: Euros


class MoveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "irrecevable", "reason": "Relève du fonctionnement."}]},
    )
    status: ProposalStatus
    reason: MultilineText = Field(default="", max_length=2000, description="Obligatoire pour un refus.")


class VotesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"proposal": 3, "channel": "urne", "votes": 412}]}
    )
    proposal: int = Field(ge=1, le=1_000_000)
    channel: VoteChannel
    votes: int = Field(ge=0, le=10_000_000)


class ProposalOut(BaseModel):
    number: int
    title: str
    description: str
    district: str
    estimated_cost: Decimal | None
    status: ProposalStatus
    status_reason: str
    version: int


class ResultOut(BaseModel):
    number: int
    title: str
    cost: Decimal
    votes: int
    by_channel: dict[str, int]
    won: bool


class ResultsOut(BaseModel):
    closed: bool
    envelope: Decimal | None = None
    results: list[ResultOut] = Field(default_factory=list)


def _out(row: ProposalRow) -> ProposalOut:
    return ProposalOut.model_validate(row, from_attributes=True)


def _results(envelope: Decimal, results: list[dict[str, Any]]) -> ResultsOut:
    return ResultsOut(closed=True, envelope=envelope, results=[ResultOut.model_validate(r) for r in results])


@router.get("/proposals", summary="Les propositions", response_model=list[ProposalOut], responses=errors(404))
def list_proposals(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        return json_response([_out(row) for row in service.proposals(session, engagement_id)])


@router.post(
    "/proposals",
    status_code=201,
    summary="Déposer une proposition",
    response_model=ProposalOut,
    responses={201: {"description": "Déposée."}, **errors(404, 422)},
)
def submit_proposal(
    engagement_id: EngagementIdPath,
    body: ProposalIn,
    access: SubmitAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = service.submit_proposal(
            session, engagement_id=engagement_id, **body.model_dump(), actor=access.actor, clock=context.clock
        )
        return json_response(_out(row), 201, {"Location": f"/engagements/{engagement_id}/budget/proposals"})

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.put(
    "/proposals/{number}/cost",
    summary="Estimer le coût d'une proposition (€ TTC)",
    response_model=ProposalOut,
    responses=errors(404, 409, 422),
)
def estimate_cost(
    engagement_id: EngagementIdPath,
    number: NumberPath,
    body: CostIn,
    access: ReviewAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = service.estimate_cost(
            session,
            engagement_id=engagement_id,
            number=number,
            cost=body.estimated_cost,
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(_out(row))

    return writes.run(access.user.login, {"number": number, **body.model_dump(mode="json")}, work)


@router.post(
    "/proposals/{number}/status",
    summary="Faire avancer une proposition (recevable, faisable, soumise au vote, réalisée…)",
    response_model=ProposalOut,
    responses=errors(404, 422),
)
def move_proposal(
    engagement_id: EngagementIdPath,
    number: NumberPath,
    body: MoveIn,
    access: ReviewAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = service.move_proposal(
            session,
            engagement_id=engagement_id,
            number=number,
            to=body.status,
            reason=body.reason,
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(_out(row))

    return writes.run(access.user.login, {"number": number, **body.model_dump(mode="json")}, work)


@router.post(
    "/votes",
    status_code=204,
    summary="Saisir les voix d'une proposition pour un canal (en ligne, urne)",
    responses={204: {"description": "Enregistrées."}, **errors(404, 409, 422)},
)
def record_votes(
    engagement_id: EngagementIdPath,
    body: VotesIn,
    access: CountAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        service.record_votes(
            session,
            engagement_id=engagement_id,
            number=body.proposal,
            channel=body.channel,
            votes=body.votes,
            actor=access.actor,
            clock=context.clock,
        )
        return Response(status_code=204)

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.post(
    "/vote/close",
    summary="Clore le vote et désigner les lauréates dans l'enveloppe",
    response_model=ResultsOut,
    responses=errors(404, 409, 422),
)
def close_vote(
    engagement_id: EngagementIdPath, access: CloseAccess, writes: WritesDep, context: ContextDep
) -> Response:
    def work(session: Session) -> Response:
        results = service.close_vote(
            session, engagement_id=engagement_id, actor=access.actor, clock=context.clock
        )
        closed = service.closed_vote(session, engagement_id)
        assert closed is not None
        return json_response(_results(closed.envelope, [r.as_dict() for r in results]))

    return writes.run(access.user.login, {"close": True}, work)


@router.get("/results", summary="Les résultats du vote", response_model=ResultsOut, responses=errors(404))
def results(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        closed = service.closed_vote(session, engagement_id)
    return json_response(_results(closed.envelope, closed.results) if closed else ResultsOut(closed=False))
