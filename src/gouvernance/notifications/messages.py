"""What notifications say, in French (the language of the people who receive them)."""

from __future__ import annotations

from datetime import datetime

from gouvernance.deliverables.french import format_date as french_date
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.spec.schema import ProcessModel, StepSpec


def reminder_text(
    model: ProcessModel,
    spec: StepSpec,
    step: StepRow,
    engagement: EngagementRow,
    level: str,
    role: str,
    now: datetime,
) -> tuple[str, str]:
    assert step.due_at is not None
    title, territory = spec.title.fr, engagement.territory_name
    due = french_date(step.due_at)
    role_title = model.role_title(role)
    stage = model.stages_by_key[model.stage_of_step[spec.key]].title.fr
    late_days = (now - step.due_at).days
    if level.startswith("before"):
        days = max(1, (step.due_at - now).days)
        subject = f"Rappel : « {title} » arrive à échéance le {due} — {territory}"
        lead = f"L'étape « {title} » ({stage}) arrive à échéance le {due}, dans {days} jour(s)."
    elif level == "overdue":
        subject = f"En retard : « {title} » — {territory}"
        lead = f"L'étape « {title} » ({stage}) devait être terminée le {due}."
    else:
        subject = f"Escalade : « {title} » a {late_days} jour(s) de retard — {territory}"
        lead = (
            f"L'étape « {title} » ({stage}) a {late_days} jour(s) de retard (échéance du {due}). "
            f"Ce dossier vous est transmis en tant que {role_title.lower()}."
        )
    body = "\n\n".join(
        [
            "Bonjour,",
            lead,
            f"Accompagnement : {model.title.fr} — {territory}.\nVotre rôle : {role_title}.",
            "Ouvrez l'accompagnement pour voir ce qui reste à faire et pourquoi l'étape n'avance pas encore.",
            "— gouvernance",
        ]
    )
    return subject, body
