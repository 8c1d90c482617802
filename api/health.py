"""Liveness and readiness, for load balancers and orchestrators: no token needed."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors
from gouvernance.api.permissions import HealthAccess
from gouvernance.db.migrate import HEAD_REVISION, current_revision
from gouvernance.errors import DomainError, Message


class HealthOut(BaseModel):
    status: Literal["ok"]


class IgnoredTemplate(BaseModel):
    file: str
    problems: list[str]


class ReadyOut(BaseModel):
    status: Literal["ok"]
    database: str
    ignored_templates: list[IgnoredTemplate] = Field(
        default_factory=list, description="Modèles invalides laissés de côté, avec leurs problèmes."
    )


router = APIRouter(tags=["Santé"])


class NotReady(DomainError):
    status = 503


NOT_MIGRATED = Message(
    "database.not_migrated",
    "La base n'est pas à jour : lancez « gouvernance db upgrade ».",
    "The database schema is not up to date: run 'gouvernance db upgrade'.",
)


@router.get("/healthz", summary="Le processus répond")
def healthz(access: HealthAccess) -> HealthOut:
    return HealthOut(status="ok")


@router.get("/readyz", summary="La base de données est joignable et à jour", responses=errors(503))
def readyz(access: HealthAccess, context: ContextDep) -> ReadyOut:
    context.db.ping()  # an OperationalError becomes a 503 problem
    if current_revision(context.db) != HEAD_REVISION:
        raise NotReady(NOT_MIGRATED)
    ignored = [
        IgnoredTemplate(
            file=invalid.filename, problems=[p.render(invalid.filename) for p in invalid.problems]
        )
        for invalid in context.catalog.invalid
    ]
    return ReadyOut(status="ok", database=context.db.dialect, ignored_templates=ignored)
