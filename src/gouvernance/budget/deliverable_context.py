"""What the participatory budget brings to the seven deliverables of a budget-participatif edition, in the
shape their builders read (``gouvernance.deliverables.builders.budget_common``): under ``budget``, the day the
documents are as of, every proposal with its status, reason, cost and vote counts per channel, the closed vote
(envelope and results) when there is one, and the calendar from the steps' due dates (forecast for the steps
not yet open).

Proposals carry no personal data (the proposal table holds none), so every document may be published.

Registered by the composition root (``gouvernance.composition``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.budget.records import VoteCountRow
from gouvernance.budget.service import ProposalStatus, closed_vote, proposals
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import StepSpec

KINDS = frozenset(
    {
        "reglement_budget_participatif",
        "catalogue_idees",
        "rapport_analyse",
        "liste_projets_vote",
        "resultats_vote",
        "tableau_suivi_realisation",
        "bilan_budget_participatif",
    }
)


def budget_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in KINDS:
        return {}
    rows = proposals(session, engagement.id)
    votes = _votes(session, [row.id for row in rows])
    closed = closed_vote(session, engagement.id)
    budget: dict[str, Any] = {
        "as_of": today.isoformat(),
        "proposals": [
            {
                "number": row.number,
                "title": row.title,
                "description": row.description,
                "district": row.district,
                "estimated_cost": None if row.estimated_cost is None else str(row.estimated_cost),
                "status": row.status,
                "status_label": ProposalStatus(row.status).label,
                "reason": row.status_reason,
                "votes": votes.get(row.id, {}),
            }
            for row in rows
        ],
        "vote": None
        if closed is None
        else {
            "closed_on": closed.closed_at.isoformat(),
            "envelope": str(closed.envelope),
            "results": closed.results,
        },
    }
    if key == "reglement_budget_participatif":
        budget["calendar"] = _calendar(session, engagement)
    return {"budget": budget}


def _votes(session: Session, proposal_ids: list[int]) -> dict[int, dict[str, int]]:
    if not proposal_ids:
        return {}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for proposal_id, channel, count in session.execute(
        select(VoteCountRow.proposal_id, VoteCountRow.channel, VoteCountRow.votes).where(
            VoteCountRow.proposal_id.in_(proposal_ids)
        )
    ):
        counts[proposal_id][channel] = count
    return counts


def _calendar(session: Session, engagement: EngagementRow) -> list[dict[str, Any]]:
    """The steps in the model's order, each with its stage and due date. A step not yet open has none: its
    date is forecast from what it waits for (steps of its stage, earlier stages) and the model's durations,
    and marked as such."""
    model = model_for(session, engagement.model_key, engagement.model_version)
    rows, skipped = {}, set()
    for step_key, state, due_at, completed_at in session.execute(
        select(StepRow.step_key, StepRow.state, StepRow.due_at, StepRow.completed_at).where(
            StepRow.engagement_id == engagement.id
        )
    ):
        rows[step_key] = (due_at, completed_at)
        if state == "skipped":
            skipped.add(step_key)
    start = datetime.combine(engagement.start_date, time(9, 0), tzinfo=UTC)
    ends: dict[str, datetime] = {}

    def end(step: StepSpec) -> datetime:
        """When the step is (or is expected to be) over, for the steps that wait for it."""
        if step.key not in ends:
            due, completed = rows.get(step.key, (None, None))
            ends[step.key] = completed or due or due_of(step)
        return ends[step.key]

    def due_of(step: StepSpec) -> datetime:
        known = rows.get(step.key, (None, None))[0]
        if known is not None:
            return known
        stage = model.stages_by_key[model.stage_of_step[step.key]]
        waits_for = [model.steps_by_key[key] for key in step.after] + [
            earlier for key in stage.after for earlier in model.stages_by_key[key].steps
        ]
        return max((end(other) for other in waits_for), default=start) + step.duration

    return [
        {
            "stage": stage.title.fr,
            "step": step.title.fr,
            "due": due_of(step).isoformat(),
            "forecast": rows.get(step.key, (None, None))[0] is None,
            "skipped": step.key in skipped,
        }
        for stage in model.stages
        for step in stage.steps
    ]
