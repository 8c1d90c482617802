"""`gouvernance tasks`: my to-do list — the steps to act on where one of my roles is responsible, the same
list as the API's /me/tasks."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gouvernance.access.tasks import is_overdue, tasks_for
from gouvernance.cli import context
from gouvernance.cli.context import console, handle_errors
from gouvernance.cli.engagements import local
from gouvernance.cli.identity import Login, user
from gouvernance.engagements.settings import role_title
from gouvernance.lifecycle.machines import STATE_LABELS_FR
from gouvernance.messages import plural
from gouvernance.spec.catalog import model_for


@handle_errors
def tasks_command(
    login: Login = None,
    limit: Annotated[int, typer.Option(metavar="N", min=1, max=500, help="Nombre au plus.")] = 200,
) -> None:
    """Mes tâches : les étapes à faire dont l'un de mes rôles est responsable, les plus urgentes d'abord."""
    now = context.clock().now()
    with context.database().reading() as session:
        me = user(session, login)
        found = tasks_for(session, me, limit=limit)
        models = {
            key: model_for(session, *key)
            for key in {(t.engagement.model_key, t.engagement.model_version) for t in found}
        }
    table = Table("Accompagnement", "Territoire", "Étape (clé)", "Titre", "État", "Rôle", "Échéance")
    for task in found:
        engagement, step = task.engagement, task.step
        model = models[(engagement.model_key, engagement.model_version)]
        late = " [red](en retard)[/]" if is_overdue(step, now) else ""
        table.add_row(
            engagement.id[:8],
            engagement.territory_name,
            step.step_key,
            model.steps_by_key[step.step_key].title.fr,
            STATE_LABELS_FR.get(step.state, step.state),
            role_title(model, engagement.parameters, step.role),
            local(step.due_at) + late,
        )
    console.print(table)
    console.print(f"{plural(len(found), 'tâche')} pour « {me.login} ».", highlight=False)
