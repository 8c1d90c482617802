"""Means and the action plan of an engagement's objectives: allocate a budget line or staff days, plan an
action, move it on. The objectives' listing (``api/objectives.py``) shows them with each objective."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES, PARTICIPANT_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeDate, SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.objectives import plan
from gouvernance.objectives.plan import ActionStatus, Plan
from gouvernance.objectives.records import ActionRow

PLAN_OBJECTIVES = Permission("objectives.plan", Scope.ENGAGEMENT, LEAD_ROLES)
UPDATE_ACTIONS = Permission("objectives.actions", Scope.ENGAGEMENT, PARTICIPANT_ROLES)
PlanAccess = Annotated[Access, Depends(requires(PLAN_OBJECTIVES))]
UpdateAccess = Annotated[Access, Depends(requires(UPDATE_ACTIONS))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Objectifs et indicateurs"])
ObjectiveKeyPath = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
ActionIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de l'action.")]


class MeansIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"label": "Formation des élus", "budget_eur": "12000", "staff_days": "4"}]
        },
    )
    label: SafeText = Field(min_length=1, max_length=300)
    budget_eur: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("1e12"), max_digits=14, decimal_places=2)
    staff_days: Decimal = Field(default=Decimal(0), ge=0, le=1_000_000, max_digits=8, decimal_places=1)


class ActionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Session de formation n° 1", "owner": "DGS", "due_on": "2027-05-15"}]
        },
    )
    title: SafeText = Field(min_length=1, max_length=300)
    owner: SafeText = Field(
        min_length=1, max_length=200, description="Le service ou la personne qui la porte."
    )
    due_on: SafeDate


class ActionStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "en_cours"}]})
    status: ActionStatus


class MeansOut(BaseModel):
    id: int
    label: str
    budget_eur: Decimal
    staff_days: Decimal


class ActionOut(BaseModel):
    id: int
    title: str
    owner: str
    due_on: date
    status: ActionStatus


class PlanOut(BaseModel):
    budget_eur: Decimal
    staff_days: Decimal
    actions: list[ActionOut]
    late: list[int] = Field(description="Les actions ouvertes dont l'échéance est passée.")


def action_out(row: ActionRow) -> ActionOut:
    return ActionOut.model_validate(row, from_attributes=True)


def plan_out(summary: Plan) -> PlanOut:
    return PlanOut(
        budget_eur=summary.budget_eur,
        staff_days=summary.staff_days,
        actions=[action_out(a) for a in summary.actions],
        late=[a.id for a in summary.late],
    )


@router.post(
    "/objectives/{objective_key}/means",
    status_code=201,
    summary="Allouer des moyens à un objectif (budget, jours de travail)",
    response_model=MeansOut,
    responses={201: {"description": "Alloués."}, **errors(404, 422)},
)
def allocate_means(
    engagement_id: EngagementIdPath,
    objective_key: ObjectiveKeyPath,
    body: MeansIn,
    access: PlanAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = plan.allocate_means(
            session, engagement_id=engagement_id, objective_key=objective_key, **body.model_dump(),
            actor=access.actor, clock=context.clock,
        )  # fmt: skip
        out = MeansOut.model_validate(row, from_attributes=True)
        return json_response(out, 201, {"Location": f"/engagements/{engagement_id}/objectives"})

    return writes.run(access.user.login, {"objective": objective_key, **body.model_dump(mode="json")}, work)


@router.post(
    "/objectives/{objective_key}/actions",
    status_code=201,
    summary="Inscrire une action au plan d'action d'un objectif",
    response_model=ActionOut,
    responses={201: {"description": "Inscrite."}, **errors(404, 409, 422)},
)
def plan_action(
    engagement_id: EngagementIdPath,
    objective_key: ObjectiveKeyPath,
    body: ActionIn,
    access: PlanAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = plan.plan_action(
            session, engagement_id=engagement_id, objective_key=objective_key, **body.model_dump(),
            actor=access.actor, clock=context.clock,
        )  # fmt: skip
        return json_response(action_out(row), 201, {"Location": f"/engagements/{engagement_id}/objectives"})

    return writes.run(access.user.login, {"objective": objective_key, **body.model_dump(mode="json")}, work)


@router.post(
    "/actions/{action_id}/status",
    summary="Faire avancer une action (à faire, en cours, réalisée, abandonnée)",
    response_model=ActionOut,
    responses=errors(404, 422),
)
def set_action_status(
    engagement_id: EngagementIdPath,
    action_id: ActionIdPath,
    body: ActionStatusIn,
    access: UpdateAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = plan.set_action_status(
            session, engagement_id=engagement_id, action_id=action_id, status=body.status,
            actor=access.actor, clock=context.clock,
        )  # fmt: skip
        return json_response(action_out(row))

    return writes.run(access.user.login, {"action": action_id, **body.model_dump(mode="json")}, work)
