"""What the decision register brings to the draft council resolution (``projet_deliberation``): its public
entries, oldest first, with the deciding body, the legal basis, the votes when they were recorded and the step
each one served — in the shape documented by ``deliverables/builders/projet_deliberation.py``.

Registered by the composition root (``gouvernance.composition``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import DecidingBody, decisions
from gouvernance.engagements.records import EngagementRow
from gouvernance.spec.catalog import model_for

KINDS = frozenset({"projet_deliberation"})


def decisions_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in KINDS:
        return {}
    rows = decisions(session, engagement.id, public_only=True)
    if not rows:
        return {}
    model = model_for(session, engagement.model_key, engagement.model_version)
    steps = {step_key: step.title.fr for step_key, step in model.steps_by_key.items()}
    return {"decisions": [_entry(row, steps) for row in rows]}


def _entry(row: DecisionRow, steps: dict[str, str]) -> dict[str, Any]:
    return {
        "number": row.number,
        "title": row.title,
        "text": row.text,
        "date": row.decided_on.isoformat(),
        "body": row.body,
        "body_label": DecidingBody(row.body).label,
        "legal_basis": row.legal_basis,
        "votes_for": row.votes_for,
        "votes_against": row.votes_against,
        "abstentions": row.abstentions,
        "transmitted_on": row.transmitted_on.isoformat() if row.transmitted_on else None,
        "published_on": row.published_on.isoformat() if row.published_on else None,
        "step_key": row.step_key or "",
        "step": steps.get(row.step_key or "", ""),
    }
