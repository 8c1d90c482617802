"""What the objectives bring to three more deliverables, in the shapes documented by their builders:

- the indicator framework (``referentiel_indicateurs``): each objective with its version, its indicators
  (unit, baseline and its date, target and deadline, direction, frequency, source, whether it is published)
  and their latest measurement, and every approval given, by role, with the version it approved;
- the draft council resolution (``projet_deliberation``) and the participation charter
  (``charte_participation``): the objectives with their indicators, to be adopted or committed to.

Registered by the composition root (``gouvernance.composition``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow
from gouvernance.objectives.records import ObjectiveApprovalRow
from gouvernance.objectives.views import ObjectiveView, objectives_view

KINDS = frozenset({"referentiel_indicateurs", "projet_deliberation", "charte_participation"})
_DIRECTIONS = {"hausse": "increase", "baisse": "decrease"}
_FREQUENCIES = {
    "mensuelle": "monthly",
    "trimestrielle": "quarterly",
    "semestrielle": "half_yearly",
    "annuelle": "yearly",
}


def framework_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in KINDS:
        return {}
    views = objectives_view(session, engagement.id, as_of=today)
    if not views:
        return {}
    given = _approvals(session, [view.objective.id for view in views])
    return {"referentiel": [_objective(view, given.get(view.objective.id, [])) for view in views]}


def _objective(view: ObjectiveView, approvals: list[dict[str, Any]]) -> dict[str, Any]:
    indicators = []
    for row in view.indicators:
        latest = view.indicator_evaluations[row.key].latest
        indicators.append(
            {
                "key": row.key,
                "name": row.label,
                "unit": row.unit,
                "baseline": row.baseline,
                "baseline_on": row.baseline_on.isoformat(),
                "target": row.target,
                "deadline": row.deadline.isoformat(),
                "direction": _DIRECTIONS.get(row.direction, row.direction),
                "frequency": _FREQUENCIES.get(row.frequency, row.frequency),
                "source": row.source,
                "public": row.public,
                "value": latest.value if latest is not None else None,
                "measured_at": latest.on.isoformat() if latest is not None else None,
            }
        )
    return {
        "key": view.objective.key,
        "title": view.objective.title,
        "description": view.objective.description,
        "version": view.objective.version,
        "approved_by": list(view.approved_by),
        "approvals": approvals,
        "indicators": indicators,
    }


def _approvals(session: Session, objective_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    given: dict[int, list[dict[str, Any]]] = {}
    for row in session.scalars(
        select(ObjectiveApprovalRow)
        .where(ObjectiveApprovalRow.objective_id.in_(objective_ids))
        .order_by(ObjectiveApprovalRow.approved_at, ObjectiveApprovalRow.id)
    ):
        given.setdefault(row.objective_id, []).append(
            {
                "role": row.role,
                "login": row.login,
                "version": row.objective_version,
                "date": row.approved_at.date().isoformat(),
            }
        )
    return given
