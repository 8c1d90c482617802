"""The means allocated to each objective (budget lines, staff days) and the action plan that serves it: the
middle of the trace objective → means → actions → measurements that the evaluation reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.lookup import log_change
from gouvernance.errors import Conflict, InvalidInput, Message, NotFound
from gouvernance.inputs import date_problem, text_problems
from gouvernance.objectives.records import ActionRow, MeansRow, ObjectiveRow
from gouvernance.objectives.service import objective_row


class ActionStatus(StrEnum):
    A_FAIRE = "a_faire"
    EN_COURS = "en_cours"
    REALISEE = "realisee"
    ABANDONNEE = "abandonnee"

    @property
    def label(self) -> str:
        return {
            "a_faire": "à faire",
            "en_cours": "en cours",
            "realisee": "réalisée",
            "abandonnee": "abandonnée",
        }[self.value]


OPEN_ACTIONS = frozenset({ActionStatus.A_FAIRE, ActionStatus.EN_COURS})


@dataclass(frozen=True)
class Plan:
    """One objective's means and actions, summed up for the evaluation."""

    means: list[MeansRow]
    actions: list[ActionRow]
    budget_eur: Decimal
    staff_days: Decimal
    late: list[ActionRow]  # open actions past their due date

    def counts(self) -> dict[str, int]:
        return {
            status.value: sum(1 for a in self.actions if a.status == status.value) for status in ActionStatus
        }


def allocate_means(
    session: Session,
    *,
    engagement_id: str,
    objective_key: str,
    label: str,
    budget_eur: Decimal = Decimal(0),
    staff_days: Decimal = Decimal(0),
    actor: ActorRef,
    clock: Clock,
) -> MeansRow:
    objective = objective_row(session, engagement_id, objective_key)
    problems = text_problems({"label": label})
    for path, amount, limit in (
        ("budget_eur", budget_eur, Decimal("1e12")),
        ("staff_days", staff_days, Decimal(1_000_000)),
    ):
        if not (amount.is_finite() and Decimal(0) <= amount <= limit):
            problems.append(
                Message(
                    "means.bad_amount",
                    f"« {path} » doit être un nombre positif",
                    f"'{path}' must be a positive number",
                    path=path,
                )
            )
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    row = MeansRow(
        objective_id=objective.id,
        label=label,
        budget_eur=budget_eur,
        staff_days=staff_days,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    log_change(
        session,
        engagement_id,
        "means_allocated",
        {
            "objective": objective_key,
            "label": label,
            "budget_eur": str(budget_eur),
            "staff_days": str(staff_days),
        },
        actor,
        clock,
    )
    return row


def plan_action(
    session: Session,
    *,
    engagement_id: str,
    objective_key: str,
    title: str,
    owner: str,
    due_on: date,
    actor: ActorRef,
    clock: Clock,
) -> ActionRow:
    objective = objective_row(session, engagement_id, objective_key)
    problems = text_problems({"title": title, "owner": owner})
    if (problem := date_problem(due_on, "due_on")) is not None:
        problems.append(problem)
    if problems:
        raise InvalidInput(problems[0], reasons=problems)
    now = clock.now()
    row = ActionRow(
        objective_id=objective.id,
        title=title,
        owner=owner,
        due_on=due_on,
        status=ActionStatus.A_FAIRE.value,
        version=1,
        created_at=now,
        updated_at=now,
    )
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        raise Conflict(
            Message(
                "action.exists",
                f"l'action « {title} » figure déjà au plan de cet objectif",
                f"action '{title}' is already in this objective's plan",
            )
        ) from None
    log_change(
        session,
        engagement_id,
        "action_planned",
        {"objective": objective_key, "action": row.id, "title": title},
        actor,
        clock,
    )
    return row


def set_action_status(
    session: Session,
    *,
    engagement_id: str,
    action_id: int,
    status: ActionStatus,
    actor: ActorRef,
    clock: Clock,
) -> ActionRow:
    row = session.scalars(
        select(ActionRow)
        .join(ObjectiveRow, ObjectiveRow.id == ActionRow.objective_id)
        .where(ActionRow.id == action_id, ObjectiveRow.engagement_id == engagement_id)
    ).first()
    if row is None:
        raise NotFound(
            Message("action.not_found", f"action introuvable : {action_id}", f"action not found: {action_id}")
        )
    before = row.status
    row.status, row.version, row.updated_at = status.value, row.version + 1, clock.now()
    log_change(
        session,
        engagement_id,
        "action_updated",
        {"action": action_id, "from": before, "to": status.value},
        actor,
        clock,
    )
    return row


def plans(session: Session, objective_ids: list[int], *, as_of: date) -> dict[int, Plan]:
    """Per objective, its means and actions: two queries for all of them."""
    means: dict[int, list[MeansRow]] = {objective_id: [] for objective_id in objective_ids}
    actions: dict[int, list[ActionRow]] = {objective_id: [] for objective_id in objective_ids}
    if objective_ids:
        for row in session.scalars(
            select(MeansRow).where(MeansRow.objective_id.in_(objective_ids)).order_by(MeansRow.id)
        ):
            means[row.objective_id].append(row)
        for action in session.scalars(
            select(ActionRow)
            .where(ActionRow.objective_id.in_(objective_ids))
            .order_by(ActionRow.due_on, ActionRow.id)
        ):
            actions[action.objective_id].append(action)
    return {
        objective_id: Plan(
            means[objective_id],
            actions[objective_id],
            sum((m.budget_eur for m in means[objective_id]), Decimal(0)),
            sum((m.staff_days for m in means[objective_id]), Decimal(0)),
            [a for a in actions[objective_id] if ActionStatus(a.status) in OPEN_ACTIONS and a.due_on < as_of],
        )
        for objective_id in objective_ids
    }
