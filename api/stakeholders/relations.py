"""Relations between the stakeholders of an engagement over HTTP."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeDate
from gouvernance.api.permissions import EngagementIdPath
from gouvernance.api.stakeholders.access import (
    ENGAGEMENT_PREFIX,
    TAGS,
    ReadAccess,
    WriteAccess,
    no_content,
)
from gouvernance.api.writes import WritesDep
from gouvernance.stakeholders import relations
from gouvernance.stakeholders.records import WEIGHT_MAX, WEIGHT_MIN

router = APIRouter(prefix=ENGAGEMENT_PREFIX, tags=TAGS)

RelationIdPath = Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la relation.")]


class RelationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"source_id": 12, "target_id": 15, "type": "conflit", "weight": 2, "start": "2026-01-15"}
            ]
        },
    )
    source_id: int = Field(ge=1, le=2**53)
    target_id: int = Field(ge=1, le=2**53)
    type: Literal["membre_de", "partenaire", "finance", "represente", "influence", "conflit"]
    weight: float = Field(
        default=1.0,
        ge=WEIGHT_MIN,
        le=WEIGHT_MAX,
        description=f"Force du lien ou intensité du conflit, de {WEIGHT_MIN} à {WEIGHT_MAX:g}.",
    )
    start: SafeDate | None = None


class RelationOut(BaseModel):
    id: int
    source_id: int
    target_id: int
    type: str
    weight: float
    start: date | None


def _relation_out(row: Any) -> RelationOut:
    return RelationOut(
        id=row.id,
        source_id=row.source_id,
        target_id=row.target_id,
        type=row.type,
        weight=row.weight,
        start=row.start_date,
    )


@router.get("/stakeholder-relations", summary="Les relations entre parties prenantes")
def list_relations(
    engagement_id: EngagementIdPath, access: ReadAccess, context: ContextDep
) -> list[RelationOut]:
    with context.db.reading() as session:
        return [_relation_out(row) for row in relations.list_relations(session, engagement_id)]


@router.post(
    "/stakeholder-relations",
    status_code=201,
    summary="Ajouter une relation (conflit, partenariat…)",
    responses={201: {"description": "Ajoutée."}, **errors(404, 409, 422)},
)
def add_relation(
    engagement_id: EngagementIdPath,
    body: RelationIn,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    def work(session: Session) -> Response:
        row = relations.add_relation(
            session,
            engagement_id=engagement_id,
            source_id=body.source_id,
            target_id=body.target_id,
            type=body.type,
            weight=body.weight,
            start=body.start,
            actor=access.actor,
            clock=context.clock,
        )
        return json_response(_relation_out(row), 201)

    return writes.run(access.user.login, body.model_dump(mode="json"), work)


@router.delete(
    "/stakeholder-relations/{relation_id}",
    status_code=204,
    summary="Retirer une relation",
    responses=errors(404),
)
def delete_relation(
    engagement_id: EngagementIdPath,
    relation_id: RelationIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
) -> Response:
    return no_content(
        writes,
        access,
        {"delete_relation": relation_id},
        lambda session: relations.delete_relation(
            session,
            engagement_id=engagement_id,
            relation_id=relation_id,
            actor=access.actor,
            clock=context.clock,
        ),
    )
