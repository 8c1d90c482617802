"""Means and the action plan of each objective, read back in the trace objective → means → actions →
measurements, with the actions that are late."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput
from gouvernance.objectives.plan import ActionStatus, allocate_means, plan_action, set_action_status
from gouvernance.objectives.service import add_objective
from gouvernance.objectives.views import objectives_view

CHEF = ActorRef.of("julien", "chef_de_projet")


def test_means_and_actions_are_summed_up_and_late_actions_named(
    db, clock, mini_model, launch_engagement
) -> None:
    engagement_id = launch_engagement(mini_model)
    today = clock.now().date()
    with db.transaction() as session:
        add_objective(
            session,
            engagement_id=engagement_id,
            key="former",
            title="Former les élus",
            actor=CHEF,
            clock=clock,
        )
        for label, budget, days in (("Formation", "12000", "4"), ("Animation", "0", "10.5")):
            allocate_means(
                session,
                engagement_id=engagement_id,
                objective_key="former",
                label=label,
                budget_eur=Decimal(budget),
                staff_days=Decimal(days),
                actor=CHEF,
                clock=clock,
            )
        late = plan_action(
            session,
            engagement_id=engagement_id,
            objective_key="former",
            title="Session 1",
            owner="DGS",
            due_on=today - timedelta(days=1),
            actor=CHEF,
            clock=clock,
        )
        done = plan_action(
            session,
            engagement_id=engagement_id,
            objective_key="former",
            title="Session 0",
            owner="DGS",
            due_on=today - timedelta(days=10),
            actor=CHEF,
            clock=clock,
        )
        plan_action(
            session,
            engagement_id=engagement_id,
            objective_key="former",
            title="Session 2",
            owner="Cabinet",
            due_on=today + timedelta(days=30),
            actor=CHEF,
            clock=clock,
        )
        set_action_status(
            session,
            engagement_id=engagement_id,
            action_id=done.id,
            status=ActionStatus.REALISEE,
            actor=CHEF,
            clock=clock,
        )
    with db.reading() as session:
        [view] = objectives_view(session, engagement_id, as_of=today)
    assert view.plan is not None
    assert (view.plan.budget_eur, view.plan.staff_days) == (Decimal(12000), Decimal("14.5"))
    assert [a.title for a in view.plan.late] == [late.title]
    assert view.plan.counts() == {"a_faire": 2, "en_cours": 0, "realisee": 1, "abandonnee": 0}


def test_a_negative_budget_and_a_duplicate_action_are_refused(
    db, clock, mini_model, launch_engagement
) -> None:
    engagement_id = launch_engagement(mini_model)
    with db.transaction() as session:
        add_objective(session, engagement_id=engagement_id, key="o", title="O", actor=CHEF, clock=clock)
        plan_action(
            session,
            engagement_id=engagement_id,
            objective_key="o",
            title="A",
            owner="DGS",
            due_on=date(2027, 1, 1),
            actor=CHEF,
            clock=clock,
        )
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        allocate_means(
            session,
            engagement_id=engagement_id,
            objective_key="o",
            label="x",
            budget_eur=Decimal(-1),
            actor=CHEF,
            clock=clock,
        )
    assert refused.value.message.path == "budget_eur"
    with pytest.raises(Conflict), db.transaction() as session:
        plan_action(
            session,
            engagement_id=engagement_id,
            objective_key="o",
            title="A",
            owner="DGS",
            due_on=date(2027, 1, 1),
            actor=CHEF,
            clock=clock,
        )
