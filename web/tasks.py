"""« Mes tâches »: the person's steps across engagements, by due date, each with a link to act on it."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gouvernance.access.tasks import is_overdue, tasks_for
from gouvernance.spec.catalog import model_for
from gouvernance.web.session import VisitorDep, api_context, render

router = APIRouter(include_in_schema=False)


@router.get("/mes-taches")
def my_tasks(request: Request, visitor: VisitorDep) -> HTMLResponse:
    context = api_context(request)
    now = context.clock.now()
    with context.db.reading() as session:
        found = tasks_for(session, visitor.principal)
        models = {
            key: model_for(session, *key)
            for key in {(t.engagement.model_key, t.engagement.model_version) for t in found}
        }
    tasks = []
    for task in found:
        model = models[(task.engagement.model_key, task.engagement.model_version)]
        tasks.append(
            {
                "engagement": task.engagement,
                "step": task.step,
                "titre": model.steps_by_key[task.step.step_key].title.text("fr"),
                "etape": model.stages_by_key[task.step.stage_key].title.text("fr"),
                "role": model.role_title(task.step.role),
                "en_retard": is_overdue(task.step, now),
            }
        )
    return render(request, "mes_taches.html", {"taches": tasks}, visitor=visitor)
