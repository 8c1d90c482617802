"""The caller: who they are, their roles, and their to-do list."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gouvernance.access.tasks import is_overdue, tasks_for
from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.engagements import state_label
from gouvernance.api.permissions import MeAccess
from gouvernance.spec.catalog import model_for


class GrantOut(BaseModel):
    role: str
    engagement_id: str | None = Field(description="None: every engagement of the organisation.")


class MeOut(BaseModel):
    login: str
    organisation: str
    grants: list[GrantOut]


class TaskOut(BaseModel):
    engagement_id: str
    territory: str
    model_key: str
    step_key: str
    step_title: str
    stage_title: str
    state: str
    state_label: str
    role: str
    due_at: datetime | None
    overdue: bool
    version: int


router = APIRouter(prefix="/me", tags=["Moi"])


@router.get("", summary="Qui je suis : organisation et rôles")
def get_me(access: MeAccess) -> MeOut:
    user = access.user
    return MeOut(
        login=user.login,
        organisation=user.organisation,
        grants=[GrantOut(role=g.role, engagement_id=g.engagement_id) for g in user.grants],
    )


@router.get("/tasks", summary="Mes tâches : étapes à faire dont l'un de mes rôles est responsable")
def get_my_tasks(
    access: MeAccess,
    context: ContextDep,
    lang: LangDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[TaskOut]:
    now = context.clock.now()
    with context.db.reading() as session:
        found = tasks_for(session, access.user, limit=limit)
        models = {
            key: model_for(session, *key)
            for key in {(t.engagement.model_key, t.engagement.model_version) for t in found}
        }
    tasks = []
    for task in found:
        engagement, step = task.engagement, task.step
        model = models[(engagement.model_key, engagement.model_version)]
        spec = model.steps_by_key[step.step_key]
        tasks.append(
            TaskOut(
                engagement_id=engagement.id,
                territory=engagement.territory_name,
                model_key=engagement.model_key,
                step_key=step.step_key,
                step_title=spec.title.text(lang),
                stage_title=model.stages_by_key[step.stage_key].title.text(lang),
                state=step.state,
                state_label=state_label(step.state, lang),
                role=step.role,
                due_at=step.due_at,
                overdue=is_overdue(step, now),
                version=step.version,
            )
        )
    return tasks
