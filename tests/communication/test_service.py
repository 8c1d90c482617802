"""The communication plan as a chef de projet keeps it: every problem reported at once, actions in date
order, one title per action, statuses changed and actions removed with an event each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gouvernance.communication.service import (
    ActionData,
    Channel,
    CommunicationStatus,
    actions,
    add_action,
    delete_action,
    update_action,
)
from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput, NotFound
from gouvernance.history.records import EventRow

CHEF = ActorRef.of("julien", "chef_de_projet")
BULLETIN = ActionData(
    title="Dossier dans le bulletin municipal",
    audience="Tous les habitants",
    channel=Channel.BULLETIN_MUNICIPAL,
    starts_on=date(2026, 4, 1),
    ends_on=date(2026, 4, 30),
    owner="Service communication",
    budget_eur=Decimal(1800),
)
MEETING = ActionData(
    title="Réunion publique de lancement",
    audience="Habitants",
    channel=Channel.REUNION_PUBLIQUE,
    starts_on=date(2026, 3, 20),
    owner="Élue référente",
)


def _add(db, clock, engagement_id, data):
    with db.transaction() as session:
        return add_action(session, engagement_id=engagement_id, data=data, actor=CHEF, clock=clock).id


def test_every_problem_of_an_action_is_reported_at_once(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    bad = ActionData(
        title="",
        audience="x" * 201,
        channel=Channel.PRESSE,
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 4, 1),
        owner="Service\u0085",
        budget_eur=Decimal("NaN"),
        message="texte\u0000",
    )
    with pytest.raises(InvalidInput) as refused:
        _add(db, clock, engagement_id, bad)
    assert {(reason.path, reason.code) for reason in refused.value.reasons} == {
        ("title", "text.required"),
        ("audience", "text.too_long"),
        ("owner", "text.control_character"),
        ("message", "text.control_character"),
        ("ends_on", "communication.period_reversed"),
        ("budget_eur", "amount.out_of_range"),
    }


def test_the_plan_is_kept_in_date_order_with_an_event_per_change(
    db, clock, mini_model, launch_engagement
) -> None:
    engagement_id = launch_engagement(mini_model)
    bulletin = _add(db, clock, engagement_id, BULLETIN)
    meeting = _add(db, clock, engagement_id, MEETING)
    with pytest.raises(Conflict):
        _add(db, clock, engagement_id, MEETING)
    done = {"status": CommunicationStatus.REALISEE}
    with db.transaction() as session:
        row = update_action(
            session, engagement_id=engagement_id, action_id=meeting, changes=done,
            actor=CHEF, clock=clock, expected_version=1,
        )  # fmt: skip
        assert (row.status, row.version) == ("realisee", 2)
    with pytest.raises(InvalidInput), db.transaction() as session:
        update_action(
            session, engagement_id=engagement_id, action_id=bulletin, changes={"ends_on": date(2026, 3, 1)},
            actor=CHEF, clock=clock,
        )  # fmt: skip
    with db.transaction() as session:
        delete_action(session, engagement_id=engagement_id, action_id=bulletin, actor=CHEF, clock=clock)
    with pytest.raises(NotFound), db.transaction() as session:
        delete_action(session, engagement_id=engagement_id, action_id=bulletin, actor=CHEF, clock=clock)
    with db.reading() as session:
        assert [row.title for row in actions(session, engagement_id)] == [MEETING.title]
        events = [
            e
            for (e,) in session.query(EventRow.event)
            .filter(EventRow.engagement_id == engagement_id)
            .order_by(EventRow.id)
        ]
    assert [e for e in events if e.startswith("communication_")] == [
        "communication_action_added",
        "communication_action_added",
        "communication_action_updated",
        "communication_action_removed",
    ]
