"""Liveness and readiness, for load balancers and orchestrators: no token needed."""

from __future__ import annotations

from functools import cache
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors
from gouvernance.api.permissions import HealthAccess
from gouvernance.db.migrate import current_revision, head_revision
from gouvernance.errors import DomainError, Message


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ok"]
    database: str


router = APIRouter(tags=["Santé"])
_head_revision = cache(head_revision)  # the migrations shipped with this process do not change


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
    if current_revision(context.db) != _head_revision():
        raise NotReady(NOT_MIGRATED)
    return ReadyOut(status="ok", database=context.db.dialect)
