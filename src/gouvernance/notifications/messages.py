"""What notifications say, in French (the language of the people who receive them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from urllib.parse import quote

from gouvernance.clock import DEFAULT_TIMEZONE
from gouvernance.deliverables.french import format_date as french_date
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.settings import role_title as engagement_role_title
from gouvernance.messages import plural
from gouvernance.spec.schema import ProcessModel, StepSpec

if TYPE_CHECKING:
    from gouvernance.stakeholders.guards import StillToConsult

NAMED_IN_REMINDERS = 5  # a reminder names at most this many stakeholders, then says how many more


def step_url(base_url: str, engagement_id: str, step_key: str) -> str:
    """Where people open a step: ``{base_url}/engagements/{id}/steps/{key}``."""
    return f"{engagement_url(base_url, engagement_id)}/steps/{quote(step_key, safe='')}"


def engagement_url(base_url: str, engagement_id: str) -> str:
    return f"{base_url.rstrip('/')}/engagements/{quote(engagement_id, safe='')}"


def still_to_consult_text(names: Sequence[str], needed: int) -> str:
    """« Acteurs clés pas encore consultés : CGT, Association X, … (et 3 autres). »"""
    shown = ", ".join(names[:NAMED_IN_REMINDERS])
    more = len(names) - NAMED_IN_REMINDERS
    if more > 0:
        shown += f", … (et {more} autre{'s' if more > 1 else ''})"
    text = f"Acteurs clés pas encore consultés : {shown}"
    if needed < len(names):
        text += f" — il faut en entendre encore {needed}"
    return text + "."


def reminder_text(
    model: ProcessModel,
    spec: StepSpec,
    step: StepRow,
    engagement: EngagementRow,
    level: str,
    role: str,
    now: datetime,
    *,
    url: str | None = None,
    to_consult: StillToConsult | None = None,
    tz: tzinfo = DEFAULT_TIMEZONE,
) -> tuple[str, str]:
    """Subject and body of a reminder, overdue notice or escalation; the body links to the step (``url``)
    and names the stakeholders its guards still wait for (``to_consult``)."""
    assert step.due_at is not None
    title, territory = spec.title.fr, engagement.territory_name
    due = french_date(step.due_at, tz)
    role_title = engagement_role_title(model, engagement.parameters, role)
    stage = model.stages_by_key[model.stage_of_step[spec.key]].title.fr
    late_days = (now - step.due_at).days
    if level.startswith("before"):
        days = max(1, (step.due_at - now).days)
        subject = f"Rappel : « {title} » arrive à échéance le {due} — {territory}"
        lead = f"L'étape « {title} » ({stage}) arrive à échéance le {due}, dans {plural(days, 'jour')}."
    elif level == "overdue":
        subject = f"En retard : « {title} » — {territory}"
        lead = f"L'étape « {title} » ({stage}) devait être terminée le {due}."
    else:
        subject = f"Escalade : « {title} » a {plural(late_days, 'jour')} de retard — {territory}"
        lead = (
            f"L'étape « {title} » ({stage}) a {plural(late_days, 'jour')} de retard (échéance du {due}). "
            f"Ce dossier vous est transmis en tant que {role_title.lower()}."
        )
    waiting = (
        [still_to_consult_text([person.name for person in to_consult.persons], to_consult.needed)]
        if to_consult
        else []
    )
    where = (
        f"Ouvrez l'étape pour voir ce qui reste à faire et pourquoi elle n'avance pas encore :\n{url}"
        if url
        else "Ouvrez l'accompagnement pour voir ce qui reste à faire et pourquoi l'étape n'avance pas encore."
    )
    body = "\n\n".join(
        [
            "Bonjour,",
            lead,
            *waiting,
            f"Accompagnement : {model.title.fr} — {territory}.\nVotre rôle : {role_title}.",
            where,
            "— gouvernance",
        ]
    )
    return subject, body
