"""Versions of a template side by side, and the migration of a running engagement to another version: the
plan step by step (``dry_run``), or the move itself, refused with each blocking step named (409)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.access.service import LEAD_ROLES
from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.permissions import Access, EngagementIdPath, Permission, Scope, requires
from gouvernance.api.process_models import ModelKey, ProcessModelsAccess
from gouvernance.api.writes import WritesDep
from gouvernance.engagements.migration import migrate, plan_migration, refusal, target_model
from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import NotFound
from gouvernance.messages import engagement_not_found
from gouvernance.spec.diff import diff_models

MIGRATE_ENGAGEMENT = Permission("engagements.migrate", Scope.ENGAGEMENT, LEAD_ROLES)
MigrateAccess = Annotated[Access, Depends(requires(MIGRATE_ENGAGEMENT))]

router = APIRouter(tags=["Versions et migration"])


class FieldChangeOut(BaseModel):
    field: str
    before: Any
    after: Any


class StepRefOut(BaseModel):
    stage: str
    step: str


class StepChangeOut(BaseModel):
    step: str
    stage: str
    moved_from: str | None
    changes: list[FieldChangeOut]


class StageChangeOut(BaseModel):
    stage: str
    changes: list[FieldChangeOut]


class ModelDiffOut(BaseModel):
    key: str
    from_version: int
    to_version: int
    stages_added: list[str]
    stages_removed: list[str]
    stages_changed: list[StageChangeOut]
    steps_added: list[StepRefOut]
    steps_removed: list[StepRefOut]
    steps_changed: list[StepChangeOut]
    other_changes: list[FieldChangeOut]


class MigrationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"to_version": 2, "dry_run": True}]}
    )
    to_version: int = Field(ge=1, le=100_000, description="La version du modèle vers laquelle migrer.")
    dry_run: bool = Field(default=False, description="Le plan seulement : rien ne change.")


class StepPlanOut(BaseModel):
    step: str
    action: str = Field(description="keep (conservée avec son état), add (ajoutée) ou remove (supprimée).")
    state: str | None
    stage: str
    changes: list[str]
    blocking: str | None = None


class MigrationPlanOut(BaseModel):
    engagement_id: str
    model_key: str
    from_version: int
    to_version: int
    possible: bool
    refusal: str | None
    steps: list[StepPlanOut]
    migrated: bool
    readied: list[str] = Field(description="Les étapes ajoutées qui sont devenues prêtes.")


@router.get(
    "/process-models/{key}/diff",
    summary="Ce qui change entre deux versions d'un modèle, étape par étape",
    response_model=ModelDiffOut,
    responses=errors(404, 422),
)
def diff_versions(
    key: ModelKey,
    from_version: Annotated[int, Query(alias="from", ge=1, le=1_000_000, description="Version de départ.")],
    to_version: Annotated[int, Query(alias="to", ge=1, le=1_000_000, description="Version d'arrivée.")],
    access: ProcessModelsAccess,
    context: ContextDep,
) -> ModelDiffOut:
    with context.db.reading() as session:
        before = target_model(session, context.catalog, key, from_version)
        after = target_model(session, context.catalog, key, to_version)
    return ModelDiffOut.model_validate(diff_models(before, after).as_dict())


@router.post(
    "/engagements/{engagement_id}/migration",
    summary="Migrer l'accompagnement vers une autre version de son modèle",
    response_model=MigrationPlanOut,
    responses={
        200: {"description": "Le plan, appliqué sauf avec dry_run."},
        **errors(404, 409, 422),
    },
)
def migrate_engagement(
    engagement_id: EngagementIdPath,
    body: MigrationIn,
    access: MigrateAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = session.get(EngagementRow, engagement_id)
        if row is None:
            raise NotFound(engagement_not_found(engagement_id))
        target = target_model(session, context.catalog, row.model_key, body.to_version)
        plan = plan_migration(session, engagement_id, target)
        if not plan.possible:
            raise refusal(plan)
        result = migrate(
            session, engagement_id, target, actor=access.actor, clock=context.clock, dry_run=body.dry_run
        )
        out = MigrationPlanOut(
            **plan.as_dict(),
            migrated=not body.dry_run and plan.from_version != plan.to_version,
            readied=[r.step_key for r in result.readied if r.step_key],
        )
        return json_response(out)

    return writes.run(access.user.login, body.model_dump(mode="json"), work)
