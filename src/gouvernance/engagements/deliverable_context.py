"""Where the journey stands, for the deliverables that recount it (``projet_deliberation``): each stage of the
engagement's model with its state — done (with the day its last step finished), under way or to come — in the
shape documented by ``deliverables/builders/projet_deliberation.py``.

Registered by the composition root (``gouvernance.composition``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.spec.catalog import model_for

KINDS = frozenset({"projet_deliberation"})
_FINISHED = frozenset({"done", "skipped"})
_NOT_STARTED = frozenset({"pending", "ready"})


def journey_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in KINDS:
        return {}
    model = model_for(session, engagement.model_key, engagement.model_version)
    steps: dict[str, list[StepRow]] = {}
    for row in session.scalars(select(StepRow).where(StepRow.engagement_id == engagement.id)):
        steps.setdefault(row.stage_key, []).append(row)
    return {"phases": [_phase(stage.title.fr, steps.get(stage.key, [])) for stage in model.stages]}


def _phase(title: str, rows: list[StepRow]) -> dict[str, Any]:
    if rows and all(row.state in _FINISHED for row in rows):
        finished = [row.completed_at for row in rows if row.completed_at is not None]
        return {
            "title": title,
            "state": "done",
            "completed_on": max(finished).date().isoformat() if finished else None,
        }
    if not rows or all(row.state in _NOT_STARTED for row in rows):
        return {"title": title, "state": "to_come"}
    return {"title": title, "state": "under_way"}
