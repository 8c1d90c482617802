"""The one door: guards that say why, roles, optimistic locking, events and outbox in one transaction."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from gouvernance.engagements.records import StepRow
from gouvernance.engagements.subject import load_subject
from gouvernance.engagements.transitions import transition
from gouvernance.errors import Conflict, Forbidden, TransitionRefused
from gouvernance.evidence.service import attach_link
from gouvernance.history.records import EventRow, OutboxRow
from tests.engagements.helpers import attach_note, counts, finish_a1_a2, fire, step


def _attach_note(db, clock, engagement_id, people, label="Note juridique"):
    attach_note(db, clock, engagement_id, people.consultant, label=label)


def _reasons(error: pytest.ExceptionInfo) -> list[str]:
    return [reason.code for reason in error.value.reasons]


def test_launch_makes_the_first_steps_ready_with_due_dates(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    a1, a2 = step(db, engagement_id, "a1"), step(db, engagement_id, "a2")
    assert (a1.state, a2.state) == ("ready", "pending")
    assert a1.due_at == a1.ready_at + timedelta(days=5)


def test_missing_evidence_refuses_with_the_reason_then_passes(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "a1", "submit", people.consultant)
    assert _reasons(refused) == ["guard.evidence_missing"]
    assert "note juridique" in refused.value.text("fr")
    assert "note juridique" in refused.value.text("en")
    _attach_note(db, clock, engagement_id, people, label="Rapport")  # wrong label: still refused
    with pytest.raises(TransitionRefused):
        fire(db, clock, engagement_id, "a1", "submit", people.consultant)
    _attach_note(db, clock, engagement_id, people)
    assert fire(db, clock, engagement_id, "a1", "submit", people.consultant).to_state == "in_review"


def test_a_link_does_not_satisfy_a_file_guard(db, clock, mini_model, launch_engagement, people) -> None:
    engagement_id = launch_engagement(mini_model)
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    with db.transaction() as session:
        attach_link(
            session,
            engagement_id=engagement_id,
            step_key="a1",
            label="Note juridique",
            url="https://example.org/note",
            actor=people.consultant,
            clock=clock,
        )
    with pytest.raises(TransitionRefused):
        fire(db, clock, engagement_id, "a1", "submit", people.consultant)


def _walk_to_review(db, clock, engagement_id, people) -> None:
    finish_a1_a2(db, clock, engagement_id, people)


def test_approval_by_role_is_required_and_counts_per_round(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    _walk_to_review(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    fire(db, clock, engagement_id, "a_rev", "endorse", people.elu)  # round 1
    fire(db, clock, engagement_id, "a_rev", "submit", people.consultant)
    fire(db, clock, engagement_id, "a_rev", "request_rework", people.elu, comment="À préciser")
    fire(db, clock, engagement_id, "a_rev", "submit", people.consultant)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "a_rev", "approve", people.elu)
    assert _reasons(refused) == ["guard.approval_missing"]
    assert "Élu" in refused.value.text()
    fire(db, clock, engagement_id, "a_rev", "endorse", people.elu)
    assert fire(db, clock, engagement_id, "a_rev", "approve", people.elu).to_state == "done"


def test_send_back_reopens_the_reviewed_steps_and_waits_for_them(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    _walk_to_review(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    result = fire(
        db, clock, engagement_id, "a_rev", "send_back", people.consultant, comment="Risque juridique"
    )
    assert [(r.step_key, r.to_state) for r in result.all()] == [
        ("a_rev", "pending"),
        ("a1", "reopened"),
        ("a2", "reopened"),
    ]
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    fire(
        db, clock, engagement_id, "a1", "submit", people.consultant
    )  # the note from round 1 is still attached
    fire(db, clock, engagement_id, "a1", "approve", people.chef)
    assert step(db, engagement_id, "a_rev").state == "pending"  # a2 is not done again yet
    for event, actor in (
        ("start", people.consultant),
        ("submit", people.consultant),
        ("approve", people.chef),
    ):
        last = fire(db, clock, engagement_id, "a2", event, actor)
    assert ("a_rev", "ready") in [(r.step_key, r.to_state) for r in last.all()]


def test_stage_steps_done_names_the_open_steps(db, clock, mini_model, launch_engagement, people) -> None:
    engagement_id = launch_engagement(mini_model)
    _walk_to_review(db, clock, engagement_id, people)
    for event, actor in (
        ("start", people.consultant),
        ("endorse", people.elu),
        ("submit", people.consultant),
        ("approve", people.elu),
    ):
        fire(db, clock, engagement_id, "a_rev", event, actor)
    fire(db, clock, engagement_id, "b1", "start", people.chef)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "b1", "submit", people.chef)
    assert _reasons(refused) == ["guard.stage_steps_open"]
    assert "B deux" in refused.value.text()
    fire(db, clock, engagement_id, "b2", "skip", people.chef, comment="Petite commune")
    assert fire(db, clock, engagement_id, "b1", "submit", people.chef).to_state == "in_review"


def test_parameter_condition_guards_skipping(db, clock, mini_model, launch_engagement, people) -> None:
    engagement_id = launch_engagement(mini_model, population=12_000)
    _walk_to_review(db, clock, engagement_id, people)
    for event, actor in (
        ("start", people.consultant),
        ("endorse", people.elu),
        ("submit", people.consultant),
        ("approve", people.elu),
    ):
        fire(db, clock, engagement_id, "a_rev", event, actor)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "b2", "skip", people.chef, comment="On voudrait sauter")
    assert _reasons(refused) == ["guard.parameter_condition"]
    assert "Population" in refused.value.text()


def test_skipping_needs_a_justification_and_a_skippable_step(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "a1", "skip", people.chef)
    assert set(_reasons(refused)) == {"rule.reason_required", "rule.not_skippable"}


def test_wrong_role_is_forbidden_and_named(db, clock, mini_model, launch_engagement, people) -> None:
    engagement_id = launch_engagement(mini_model)
    with pytest.raises(Forbidden) as forbidden:
        fire(db, clock, engagement_id, "a1", "start", people.elu)
    assert forbidden.value.code == "transition.role_not_allowed"
    # The action by its French label, not the event's code.
    assert forbidden.value.text() == "rôle non autorisé : « Démarrer » est réservé à Consultant"


def test_stale_version_is_a_conflict_and_writes_nothing(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    version = step(db, engagement_id, "a1").version
    fire(db, clock, engagement_id, "a1", "start", people.consultant, expected_version=version)
    before = counts(db, engagement_id)
    with pytest.raises(Conflict) as conflict:
        fire(db, clock, engagement_id, "a1", "endorse", people.elu, expected_version=version)
    assert conflict.value.message.details["current_version"] == version + 1
    assert conflict.value.message.details["current_state"] == "in_progress"
    assert counts(db, engagement_id) == before


def test_racing_writers_with_the_same_version_one_wins(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    version = step(db, engagement_id, "a1").version
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def contender() -> None:
        barrier.wait()
        try:
            fire(db, clock, engagement_id, "a1", "start", people.consultant, expected_version=version)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=contender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    with db.reading() as session:
        starts = session.scalars(
            select(EventRow).where(EventRow.engagement_id == engagement_id, EventRow.event == "start")
        ).all()
    assert len(starts) == 1


def _lose_a_race(
    db, clock, engagement_id, *, changed: tuple[str, str], step_key, event, actor, version
) -> None:
    """Sends ``event`` in a transaction where another writer commits ``changed`` (step key, new state)
    between our read and our write: the row in our session stays as it was read."""
    with db.transaction() as session:
        changed_key, state = changed
        row = load_subject(session, engagement_id, changed_key).row
        session.execute(
            update(StepRow.__table__).where(StepRow.id == row.id).values(state=state, version=row.version + 1)
        )
        transition(
            session,
            engagement_id=engagement_id,
            step_key=step_key,
            event=event,
            actor=actor,
            clock=clock,
            expected_version=version,
        )


def test_a_lost_race_reports_the_state_and_version_that_won(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    version = step(db, engagement_id, "a1").version
    before = counts(db, engagement_id)
    with pytest.raises(Conflict) as conflict:
        _lose_a_race(
            db,
            clock,
            engagement_id,
            changed=("a1", "in_progress"),
            step_key="a1",
            event="start",
            actor=people.consultant,
            version=version,
        )
    assert conflict.value.code == "transition.stale_version"
    details = conflict.value.message.details
    assert (details["current_state"], details["current_version"]) == ("in_progress", version + 1)
    assert counts(db, engagement_id) == before


def test_a_race_lost_by_a_follow_on_reports_the_step_as_it_stands(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    fire(db, clock, engagement_id, "a1", "start", people.consultant)
    attach_note(db, clock, engagement_id, people.consultant)
    fire(db, clock, engagement_id, "a1", "submit", people.consultant)
    version = step(db, engagement_id, "a1").version
    before = counts(db, engagement_id)
    with pytest.raises(Conflict) as conflict:
        # Approving a1 makes a2 ready; a2 changes meanwhile, so the whole transition is undone.
        _lose_a_race(
            db,
            clock,
            engagement_id,
            changed=("a2", "skipped"),
            step_key="a1",
            event="approve",
            actor=people.chef,
            version=version,
        )
    details = conflict.value.message.details
    # Not the approval this request tried to write: that was rolled back with the rest.
    assert (details["current_state"], details["current_version"]) == ("in_review", version)
    assert counts(db, engagement_id) == before
    assert step(db, engagement_id, "a1").state == "in_review"


def test_each_transition_appends_one_event_and_one_outbox_row(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    before_events, before_outbox = counts(db, engagement_id)
    result = fire(db, clock, engagement_id, "a1", "start", people.consultant, comment="C'est parti")
    assert counts(db, engagement_id) == (before_events + 1, before_outbox + 1)
    with db.reading() as session:
        event = session.get(EventRow, result.event_id)
        outbox = session.scalar(select(OutboxRow).where(OutboxRow.event_id == result.event_id))
    assert event is not None
    assert outbox is not None
    assert (event.actor, event.actor_role, event.from_state, event.to_state, event.comment) == (
        "claire",
        "consultant",
        "ready",
        "in_progress",
        "C'est parti",
    )
    assert event.occurred_at == clock.now()
    assert (outbox.topic, outbox.status) == ("step.start", "pending")


def test_events_are_append_only_in_the_database(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    for statement in (
        "UPDATE events SET actor = 'mallory' WHERE engagement_id = :e",
        "DELETE FROM events WHERE engagement_id = :e",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
            session.execute(text(statement), {"e": engagement_id})
    with db.transaction() as session:
        event = session.scalars(select(EventRow).where(EventRow.engagement_id == engagement_id)).first()
        assert event is not None
        event.actor = "mallory"
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()
        session.rollback()


def test_steps_wait_while_the_engagement_is_suspended(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, None, "suspend", people.chef)
    assert _reasons(refused) == ["rule.reason_required"]
    fire(db, clock, engagement_id, None, "suspend", people.chef, comment="Période électorale")
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "a1", "start", people.consultant)
    assert _reasons(refused) == ["rule.engagement_not_active"]
    fire(db, clock, engagement_id, None, "resume", people.chef)
    assert fire(db, clock, engagement_id, "a1", "start", people.consultant).to_state == "in_progress"


def test_completion_requires_every_step_finished(db, clock, mini_model, launch_engagement, people) -> None:
    engagement_id = launch_engagement(mini_model)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, None, "complete", people.consultant)
    assert _reasons(refused) == ["rule.steps_open"]
    assert refused.value.reasons[0].details["open_steps"][:2] == ["a1", "a2"]


def test_sent_back_steps_restart_in_their_order(db, clock, mini_model, launch_engagement, people) -> None:
    engagement_id = launch_engagement(mini_model)
    _walk_to_review(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    fire(db, clock, engagement_id, "a_rev", "send_back", people.consultant, comment="Risque juridique")
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "a2", "start", people.consultant)
    assert _reasons(refused) == ["rule.prerequisites_open"]
    assert "Un" in refused.value.text()


def test_a_start_date_out_of_range_is_refused_at_launch(db, clock, mini_model, people) -> None:
    from datetime import date

    from gouvernance.engagements.service import LaunchRequest, Territory, launch
    from gouvernance.errors import InvalidInput

    request = LaunchRequest(mini_model, Territory("Orléans", "commune", "45234"), date(9999, 12, 31))
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        launch(session, request, actor=people.consultant, clock=clock)
    assert (refused.value.code, refused.value.message.path) == ("date.out_of_range", "start_date")
    assert "2100-12-31" in refused.value.message.en


SAME_ROLE_MODEL = """
key: meme-role
version: 1
title: Même rôle
roles: [{key: consultant, title: Consultant}, {key: chef_de_projet, title: Chef de projet}]
stages:
  - key: s
    title: Étape
    steps:
      - {key: info, title: Information des partenaires, role: chef_de_projet, reviewer: chef_de_projet,
         duration: 5 jours}
      - {key: libre, title: Auto-validée, role: chef_de_projet, duration: 5 jours, self_approval: allowed}
"""


def _same_role_model(tmp_path):
    from gouvernance.spec.validation import load_model_file

    path = tmp_path / "meme-role.yaml"
    path.write_text(SAME_ROLE_MODEL, encoding="utf-8")
    return load_model_file(path)


def test_the_person_who_submitted_cannot_approve_their_own_work(
    db, clock, launch_engagement, tmp_path
) -> None:
    from gouvernance.engagements.actors import ActorRef

    engagement_id = launch_engagement(_same_role_model(tmp_path))
    julien, amelie = ActorRef.of("julien", "chef_de_projet"), ActorRef.of("amelie", "chef_de_projet")
    fire(db, clock, engagement_id, "info", "start", julien)
    fire(db, clock, engagement_id, "info", "submit", julien)
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, "info", "approve", julien)
    assert _reasons(refused) == ["rule.self_approval"]
    assert "séparation des tâches" in refused.value.text("fr")
    assert step(db, engagement_id, "info").state == "in_review"
    assert fire(db, clock, engagement_id, "info", "approve", amelie).to_state == "done"


def test_a_template_may_allow_self_approval(db, clock, launch_engagement, tmp_path) -> None:
    from gouvernance.engagements.actors import ActorRef

    engagement_id = launch_engagement(_same_role_model(tmp_path))
    julien = ActorRef.of("julien", "chef_de_projet")
    fire(db, clock, engagement_id, "libre", "start", julien)
    fire(db, clock, engagement_id, "libre", "submit", julien)
    assert fire(db, clock, engagement_id, "libre", "approve", julien).to_state == "done"


def test_send_back_reopens_only_the_chosen_steps(db, clock, mini_model, launch_engagement, people) -> None:
    engagement_id = launch_engagement(mini_model)
    _walk_to_review(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    result = fire(
        db,
        clock,
        engagement_id,
        "a_rev",
        "send_back",
        people.consultant,
        comment="Le livrable est à reprendre",
        payload={"steps": ["a2"]},
    )
    assert [(r.step_key, r.to_state) for r in result.all()] == [("a_rev", "pending"), ("a2", "reopened")]
    assert step(db, engagement_id, "a1").state == "done"
    for event, actor in (
        ("start", people.consultant),
        ("submit", people.consultant),
        ("approve", people.chef),
    ):
        last = fire(db, clock, engagement_id, "a2", event, actor)
    assert ("a_rev", "ready") in [(r.step_key, r.to_state) for r in last.all()]


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        (["a2", "b1"], "rule.send_back_steps_unlisted"),
        ([], "rule.send_back_steps_invalid"),
        ("a2", "rule.send_back_steps_invalid"),
    ],
)
def test_send_back_refuses_steps_the_review_does_not_list(
    db, clock, mini_model, launch_engagement, people, steps, code
) -> None:
    engagement_id = launch_engagement(mini_model)
    _walk_to_review(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    before = counts(db, engagement_id)
    with pytest.raises(TransitionRefused) as refused:
        fire(
            db,
            clock,
            engagement_id,
            "a_rev",
            "send_back",
            people.consultant,
            comment="À reprendre",
            payload={"steps": steps},
        )
    assert _reasons(refused) == [code]
    assert "« a1 », « a2 »" in refused.value.text("fr")
    assert counts(db, engagement_id) == before


def test_the_reviewer_of_a_review_may_send_work_back(
    db, clock, mini_model, launch_engagement, people
) -> None:
    engagement_id = launch_engagement(mini_model)
    _walk_to_review(db, clock, engagement_id, people)
    fire(db, clock, engagement_id, "a_rev", "start", people.consultant)
    with pytest.raises(Forbidden):
        fire(db, clock, engagement_id, "a_rev", "send_back", people.chef, comment="Risque juridique")
    result = fire(db, clock, engagement_id, "a_rev", "send_back", people.elu, comment="Risque juridique")
    assert [r.step_key for r in result.all()] == ["a_rev", "a1", "a2"]
