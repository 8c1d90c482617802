"""The reminder sweep: steps due soon or overdue get a reminder, an overdue notice and, after the model's
delay, an escalation to the role it names — each once per step, level and round.

It reads only the steps whose due date falls within the longest reminder window (an indexed range on
(state, due_at)), so its cost follows the number of steps due, not the number of open steps.

Each notification links to its step (``base_url``) and, on a step guarded by ``stakeholders_consulted``,
names the stakeholders still to consult: two queries per batch, and only for batches with such steps.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import DEFAULT_TIMEZONE
from gouvernance.engagements.records import EngagementRow, ProcessModelRow, StepRow
from gouvernance.errors import DomainError
from gouvernance.guards.builtin import ApprovedBy
from gouvernance.guards.registry import Guard
from gouvernance.history.records import EventRow
from gouvernance.lifecycle.machines import ACTIONABLE_STEP_STATES
from gouvernance.notifications.messages import reminder_text, step_url
from gouvernance.notifications.recipients import holders
from gouvernance.notifications.store import Draft, create
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import ProcessModel, StepSpec
from gouvernance.stakeholders.guards import StillToConsult, still_to_consult

# The events still ahead of an open step on its way to done: the guards a reminder may speak of.
_CLOSING_EVENTS = ("approve", "adopt")
_FORWARD_EVENTS = ("start", "submit", "open_consultation", "close_consultation", *_CLOSING_EVENTS)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One notification the sweep owes for a step."""

    level: str  # before:<days> | overdue | escalation
    role: str


@dataclass
class SweepReport:
    candidates: int = 0
    created: int = 0
    batches: int = 0
    # Engagements whose stored model this process cannot read (an unknown guard rule, a newer snapshot
    # format…): skipped and logged, so that one of them does not stop the reminders of all the others.
    skipped: dict[str, str] = field(default_factory=dict)


def horizon(session: Session) -> timedelta:
    """The longest "days before the due date" of any stored model: steps due later need nothing yet."""
    longest = 0
    for (document,) in session.execute(select(ProcessModelRow.document)):
        for stage in document.get("stages", []):
            for step in stage.get("steps", []):
                longest = max(longest, *step.get("reminders", {}).get("before_due_days", [0]))
    return timedelta(days=longest)


def candidate_batches(
    session: Session, *, now: datetime, batch_size: int
) -> Iterator[list[tuple[StepRow, EngagementRow]]]:
    """Open steps due before now + horizon, by batches, in id order (keyset pagination)."""
    limit = now + horizon(session)
    after = 0
    while True:
        rows = session.execute(
            select(StepRow, EngagementRow)
            .join(EngagementRow, EngagementRow.id == StepRow.engagement_id)
            .where(
                StepRow.state.in_(ACTIONABLE_STEP_STATES),
                StepRow.due_at <= limit,
                StepRow.id > after,
                EngagementRow.state == "active",
            )
            .order_by(StepRow.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        yield [(step, engagement) for step, engagement in rows]
        after = rows[-1][0].id


def owed(model: ProcessModel, spec: StepSpec, step: StepRow, now: datetime) -> list[Due]:
    """What the step's reminder policy calls for at ``now``: the most urgent reminder before the due date,
    or the overdue notice, plus the escalation once it is late enough."""
    assert step.due_at is not None
    policy = spec.reminders
    acting_role = model.reviewer_of(spec) if step.state == "in_review" else spec.role
    if now < step.due_at:
        windows = [d for d in policy.before_due_days if now >= step.due_at - timedelta(days=d)]
        return [Due(f"before:{min(windows)}", acting_role)] if windows else []
    dues = [Due("overdue", acting_role)]
    if (
        policy.escalate_to
        and policy.escalate_after_days is not None
        and now >= step.due_at + timedelta(days=policy.escalate_after_days)
    ):
        dues.append(Due("escalation", policy.escalate_to))
    return dues


def _approval_roles(spec: StepSpec) -> set[str]:
    return {guard.role for guard in spec.compiled_guards if isinstance(guard, ApprovedBy)}


def _already_acted(session: Session, steps: list[StepRow]) -> dict[int, set[str]]:
    """Per step, the logins who endorsed it in its current round: they are not reminded to approve."""
    if not steps:
        return {}
    rounds = {step.id: step.round for step in steps}
    acted: dict[int, set[str]] = defaultdict(set)
    for step_id, actor, payload in session.execute(
        select(EventRow.step_id, EventRow.actor, EventRow.payload).where(
            EventRow.step_id.in_(list(rounds)), EventRow.event == "endorse"
        )
    ):
        if payload.get("round") == rounds[step_id]:
            acted[step_id].add(actor)
    return acted


def sweep(
    session: Session,
    *,
    now: datetime,
    base_url: str | None = None,
    batch_size: int = 500,
    tz: tzinfo = DEFAULT_TIMEZONE,
) -> SweepReport:
    """One pass: creates every notification owed at ``now`` that does not exist yet. Safe to run again.
    With ``base_url`` (where people open gouvernance), each one links to its step; due dates are the days
    where the people live (``tz``)."""
    report = SweepReport()
    for batch in candidate_batches(session, now=now, batch_size=batch_size):
        report.batches += 1
        report.candidates += len(batch)
        report.created += create(session, _drafts(session, batch, now, base_url, tz, report.skipped), now=now)
        session.flush()
    return report


def _guards_ahead(spec: StepSpec, state: str) -> list[Guard]:
    events = _CLOSING_EVENTS if state == "in_review" else _FORWARD_EVENTS
    return [guard for guard in spec.compiled_guards if any(guard.applies_to(event) for event in events)]


def _drafts(
    session: Session,
    batch: list[tuple[StepRow, EngagementRow]],
    now: datetime,
    base_url: str | None,
    tz: tzinfo,
    skipped: dict[str, str],
) -> list[Draft]:
    owing = []
    for step, engagement in batch:
        if engagement.id in skipped:
            continue
        try:
            model = model_for(session, engagement.model_key, engagement.model_version)
        except DomainError as error:
            skipped[engagement.id] = error.message.fr
            log.error(
                "reminders: engagement %s skipped, its model %s v%s cannot be read: %s",
                engagement.id,
                engagement.model_key,
                engagement.model_version,
                error.message.en,
            )
            continue
        spec = model.steps_by_key[step.step_key]
        dues = owed(model, spec, step, now)
        if dues and dues[0].level != "escalation" and step.state == "in_review":
            # Approvals still missing are owed too, by whoever has not given theirs in this round.
            dues += [Due(dues[0].level, role) for role in sorted(_approval_roles(spec) - {dues[0].role})]
        if dues:
            owing.append((step, engagement, model, spec, dues))
    if not owing:
        return []
    people = holders(session, [(e.id, e.organisation_id) for _, e, *_ in owing])
    acted = _already_acted(session, [step for step, *_ in owing])
    waiting = still_to_consult(
        session, [(e.id, step.stage_key, _guards_ahead(spec, step.state)) for step, e, _, spec, _ in owing]
    )
    drafts = []
    for (step, engagement, model, spec, dues), to_consult in zip(owing, waiting, strict=True):
        url = step_url(base_url, engagement.id, step.step_key) if base_url else None
        # Whoever is told the step is overdue (the people acting on it) is not also sent its escalation:
        # one message is enough, and the escalation is for those above them.
        told_overdue = {
            r.login
            for due in dues
            if due.level == "overdue"
            for r in people.get((engagement.id, due.role), [])
        }
        for due in dues:
            spared = acted.get(step.id, set()) | (told_overdue if due.level == "escalation" else set())
            recipients = [r for r in people.get((engagement.id, due.role), []) if r.login not in spared]
            subject, body = reminder_text(
                model, spec, step, engagement, due.level, due.role, now, url=url, to_consult=to_consult, tz=tz
            )
            drafts.append(
                Draft(
                    dedupe_key=f"{due.level.split(':')[0]}:{step.id}:{step.round}:{due.level}:{due.role}",
                    kind=due.level.split(":")[0].replace("before", "reminder"),
                    subject=subject,
                    body=body,
                    engagement_id=engagement.id,
                    step_id=step.id,
                    role=due.role,
                    data=_data(step, due, url, to_consult),
                    recipients=recipients,
                )
            )
    return drafts


def _data(step: StepRow, due: Due, url: str | None, to_consult: StillToConsult | None) -> dict[str, Any]:
    """What webhooks and the in-app inbox get besides the text."""
    data: dict[str, Any] = {
        "step_key": step.step_key,
        "level": due.level,
        "due_at": step.due_at.isoformat() if step.due_at else None,
    }
    if url:
        data["url"] = url
    if to_consult:
        data["still_to_consult"] = [person.as_dict() for person in to_consult.persons]
        data["still_to_consult_needed"] = to_consult.needed
    return data
