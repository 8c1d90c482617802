"""The communication plan's actions: read them (the engagement's people), add, change and remove them (the
engagement's leads)."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import MultilineText, SafeDate, SafeText
from gouvernance.api.patches import patch_changes
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.communication import service
from gouvernance.communication.records import CommunicationActionRow
from gouvernance.communication.service import MAX_BUDGET, ActionData, Channel, CommunicationStatus

READ_COMMUNICATION = Permission("communication.read", Scope.ENGAGEMENT)
PLAN_COMMUNICATION = Permission("communication.plan", Scope.ENGAGEMENT, LEAD_ROLES)
ReadAccess = Annotated[Access, Depends(requires(READ_COMMUNICATION))]
PlanAccess = Annotated[Access, Depends(requires(PLAN_COMMUNICATION))]

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["Plan de communication"])
ActionIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de l'action de communication.")]
Euros = Annotated[Decimal, Field(ge=0, le=MAX_BUDGET, max_digits=12, decimal_places=2)]


class ActionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Dossier de lancement dans le magazine communautaire",
                    "audience": "Tous les habitants du territoire",
                    "channel": "bulletin_municipal",
                    "starts_on": "2026-04-01",
                    "ends_on": "2026-04-30",
                    "owner": "Service communication",
                    "budget_eur": "1800",
                }
            ]
        },
    )
    title: SafeText = Field(min_length=1, max_length=300, description="L'action.")
    audience: SafeText = Field(min_length=1, max_length=200, description="Le public visé.")
    channel: Channel
    starts_on: SafeDate = Field(description="La date, ou le début de la période.")
    ends_on: SafeDate | None = Field(default=None, description="La fin de la période, s'il y en a une.")
    owner: SafeText = Field(
        min_length=1, max_length=200, description="Le service ou la personne qui la porte."
    )
    status: CommunicationStatus = CommunicationStatus.PREVUE
    budget_eur: Euros | None = None
    message: MultilineText = Field(default="", max_length=10_000, description="Le message porté.")


class ActionPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "realisee", "version": 1}]}
    )
    title: SafeText | None = Field(default=None, min_length=1, max_length=300)
    audience: SafeText | None = Field(default=None, min_length=1, max_length=200)
    channel: Channel | None = None
    starts_on: SafeDate | None = None
    ends_on: SafeDate | None = None
    owner: SafeText | None = Field(default=None, min_length=1, max_length=200)
    status: CommunicationStatus | None = None
    budget_eur: Euros | None = None
    message: MultilineText | None = Field(default=None, max_length=10_000)
    version: int | None = Field(default=None, ge=1, le=2**31, description="Version lue (verrou optimiste).")


class ActionOut(BaseModel):
    id: int
    title: str
    audience: str
    channel: Channel
    starts_on: date
    ends_on: date | None
    owner: str
    status: CommunicationStatus
    budget_eur: Decimal | None
    message: str
    version: int


NOT_NULL = frozenset(ActionPatch.model_fields) - {"ends_on", "budget_eur", "version"}


def _out(row: CommunicationActionRow) -> ActionOut:
    return ActionOut.model_validate(row, from_attributes=True)


@router.get(
    "/communication/actions",
    summary="Les actions du plan de communication",
    response_model=list[ActionOut],
    responses=errors(404),
)
def list_actions(engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep) -> Response:
    with context.db.reading() as session:
        rows = service.actions(session, engagement_id)
    return json_response([_out(row) for row in rows])


@router.post(
    "/communication/actions",
    status_code=201,
    summary="Inscrire une action au plan de communication",
    response_model=ActionOut,
    responses={201: {"description": "Inscrite."}, **errors(404, 409, 422)},
)
def add_action(
    engagement_id: EngagementIdPath,
    body: ActionIn,
    access: PlanAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = service.add_action(
            session, engagement_id=engagement_id, data=ActionData(**body.model_dump()),
            actor=access.actor, clock=context.clock,
        )  # fmt: skip
        return json_response(
            _out(row), 201, {"Location": f"/engagements/{engagement_id}/communication/actions"}
        )

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.patch(
    "/communication/actions/{action_id}",
    summary="Modifier une action du plan de communication (dont son statut)",
    response_model=ActionOut,
    responses=errors(404, 409, 422),
)
def update_action(
    engagement_id: EngagementIdPath,
    action_id: ActionIdPath,
    body: ActionPatch,
    access: PlanAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    changes = patch_changes(body, NOT_NULL)

    def work(session: Session) -> Response:
        row = service.update_action(
            session, engagement_id=engagement_id, action_id=action_id, changes=changes,
            actor=access.actor, clock=context.clock, expected_version=body.version,
        )  # fmt: skip
        return json_response(_out(row))

    return writes.run(access.user.login, {"id": action_id, **body.model_dump(mode="json")}, work)


@router.delete(
    "/communication/actions/{action_id}",
    status_code=204,
    summary="Retirer une action du plan de communication",
    responses=errors(404),
)
def delete_action(
    engagement_id: EngagementIdPath,
    action_id: ActionIdPath,
    access: PlanAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        service.delete_action(
            session, engagement_id=engagement_id, action_id=action_id, actor=access.actor, clock=context.clock
        )
        return Response(status_code=204)

    return writes.run(access.user.login, {"delete_action": action_id}, work)
