"""What the objectives bring to the deliverables, in the shapes documented by their builders:

- the plan d'action (``plan_action``): the objectives with their indicators, the means (budget lines, staff
  days) and the actions with their owner, due date and status;
- the rapport d'évaluation (``rapport_evaluation``): the same objectives with each indicator's latest
  measurement and every dated measurement (for its chart), the means allocated and the actions carried out
  (an open action past its due date reads « en retard »); the report evaluates them by objectives.evaluation.

Registered by the composition root (``gouvernance.composition``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.deliverables.french import format_date, format_number
from gouvernance.engagements.records import EngagementRow
from gouvernance.messages import plural
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.plan import OPEN_ACTIONS, ActionStatus
from gouvernance.objectives.records import ActionRow
from gouvernance.objectives.views import ObjectiveView, objectives_view

KINDS = frozenset({"plan_action", "rapport_evaluation"})
_DIRECTIONS = {Direction.UP.value: "increase", Direction.DOWN.value: "decrease"}
_FREQUENCIES = {
    "mensuelle": "monthly",
    "trimestrielle": "quarterly",
    "semestrielle": "half_yearly",
    "annuelle": "yearly",
}
_STATUSES = {
    ActionStatus.A_FAIRE: "not_started",
    ActionStatus.EN_COURS: "in_progress",
    ActionStatus.REALISEE: "done",
    ActionStatus.ABANDONNEE: "cancelled",
}


def objectives_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    """The evaluation is as of ``today``: the day the document is written, where its readers live."""
    if key not in KINDS:
        return {}
    as_of = today
    views = objectives_view(session, engagement.id, as_of=as_of)
    if not views:
        return {}
    objectives = [_objective(view, measured=key == "rapport_evaluation") for view in views]
    actions = [
        _action(action, view.objective.title, late=action in view.plan.late)
        for view in views
        for action in view.plan.actions
    ]
    budget = sum((view.plan.budget_eur for view in views), Decimal(0))
    days = sum((view.plan.staff_days for view in views), Decimal(0))
    if key == "plan_action":
        return {
            "objectifs": objectives,
            "moyens": {
                "budget_lines": [
                    {"poste": f"{means.label} ({view.objective.title})", "montant": str(means.budget_eur)}
                    for view in views
                    for means in view.plan.means
                    if means.budget_eur
                ],
                "autres": [f"Temps de travail prévu : {format_number(days)} jours"] if days else [],
            },
            "actions": actions,
        }
    return {
        "periode": {"start": engagement.start_date.isoformat(), "end": as_of.isoformat()},
        "methode": _method(views, actions, as_of),
        "objectifs": objectives,
        "moyens_alloues": {
            "budget_prevu": str(budget),
            "jours_prevus": str(days) if days else "",
        },
        "actions": actions,
        "evaluation_au": as_of.isoformat(),
    }


def _method(views: list[ObjectiveView], actions: list[dict[str, Any]], as_of: date) -> str:
    """What the evaluation rests on, counted from the engagement's own records."""
    indicators = sum(len(view.indicators) for view in views)
    measurements = sum(len(values) for view in views for values in view.measurements.values())
    recorded = plural(measurements, "mesure enregistrée", "mesures enregistrées")
    return (
        f"L'évaluation au {format_date(as_of)} rapproche {plural(len(views), 'objectif')} et "
        f"{plural(indicators, 'indicateur')} du référentiel de {recorded}, et suit l'exécution du plan "
        f"d'action ({plural(len(actions), 'action')}) et les moyens alloués. Chaque indicateur est évalué "
        "par la même règle que le tableau de bord : atteint, en bonne voie ou à risque selon la tendance "
        "de ses mesures des douze derniers mois, non atteint après son échéance."
    )


def _objective(view: ObjectiveView, *, measured: bool) -> dict[str, Any]:
    indicators = []
    for row in view.indicators:
        evaluation = view.indicator_evaluations[row.key]
        indicator: dict[str, Any] = {
            "key": row.key,
            "name": row.label,
            "unit": row.unit,
            "baseline": row.baseline,
            "target": row.target,
            "direction": _DIRECTIONS[row.direction],
            "frequency": _FREQUENCIES.get(row.frequency, row.frequency),
            "source": row.source,
        }
        if measured:
            indicator |= {
                "baseline_on": row.baseline_on.isoformat(),
                "deadline": row.deadline.isoformat(),
                "measurements": [
                    {"date": m.on.isoformat(), "value": m.value} for m in view.measurements.get(row.key, [])
                ],
            }
        if measured and evaluation.latest is not None:
            indicator |= {"value": evaluation.latest.value, "measured_at": evaluation.latest.on.isoformat()}
        indicators.append(indicator)
    # The report evaluates each objective itself, by the same rule (objectives.evaluation), from these.
    return {
        "title": view.objective.title,
        "description": view.objective.description,
        "indicators": indicators,
    }


def _action(action: ActionRow, objective: str, *, late: bool) -> dict[str, Any]:
    status = ActionStatus(action.status)
    return {
        "title": action.title,
        "objective": objective,
        "responsible": action.owner,
        "echeance": action.due_on.isoformat(),
        "status": "late" if late and status in OPEN_ACTIONS else _STATUSES[status],
    }
