"""Training sessions as an agent organises them: every problem reported at once (the DIF rule among them),
attendance taken only at a held session and then kept, and the review's rates per session and audience."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput, NotFound
from gouvernance.training.service import (
    AttendeeData,
    Audience,
    SessionData,
    SessionStatus,
    add_attendee,
    add_session,
    delete_session,
    sessions,
    update_attendee,
    update_session,
)
from gouvernance.training.views import training_review

AGENT = ActorRef.of("karim", "agent")
ELUS = SessionData(
    title="Le rôle de l'élu",
    held_on=date(2026, 6, 12),
    duration_hours=Decimal("3.5"),
    audience=Audience.ELUS,
    trainer="Institut Territoires",
    trainer_approved=True,
    dif_funded=True,
    place="Salle du conseil",
)
AGENTS = SessionData(
    title="Animer un atelier",
    held_on=date(2026, 6, 5),
    duration_hours=Decimal(7),
    audience=Audience.AGENTS,
    trainer="CNFPT",
)


def _session(db, clock, engagement_id, data):
    with db.transaction() as session:
        return add_session(session, engagement_id=engagement_id, data=data, actor=AGENT, clock=clock).id


def _attendee(db, clock, engagement_id, session_id, name, present=None):
    with db.transaction() as session:
        return add_attendee(
            session, engagement_id=engagement_id, session_id=session_id,
            data=AttendeeData(name=name, quality="élu", present=present), actor=AGENT, clock=clock,
        ).id  # fmt: skip


def _update(db, clock, engagement_id, session_id, **changes):
    with db.transaction() as session:
        return update_session(
            session,
            engagement_id=engagement_id,
            session_id=session_id,
            changes=changes,
            actor=AGENT,
            clock=clock,
        ).status


def _mark(db, clock, engagement_id, session_id, attendee_id, present):
    with db.transaction() as session:
        update_attendee(
            session, engagement_id=engagement_id, session_id=session_id, attendee_id=attendee_id,
            changes={"present": present}, actor=AGENT, clock=clock,
        )  # fmt: skip


def test_every_problem_of_a_session_is_reported_at_once(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    bad = SessionData(
        title="Titre\u0007",
        held_on=date(1999, 1, 1),
        duration_hours=Decimal(0),
        audience=Audience.AGENTS,
        trainer="",
        dif_funded=True,
        objectives=("x" * 501,),
    )
    with pytest.raises(InvalidInput) as refused:
        _session(db, clock, engagement_id, bad)
    assert {(reason.path, reason.code) for reason in refused.value.reasons} == {
        ("title", "text.control_character"),
        ("trainer", "text.required"),
        ("objectives[0]", "text.too_long"),
        ("held_on", "date.out_of_range"),
        ("duration_hours", "training.bad_duration"),
        ("dif_funded", "training.dif_for_elus_only"),
        ("trainer_approved", "training.dif_needs_approved_body"),
    }
    with db.reading() as session:
        assert sessions(session, engagement_id) == []


def test_a_dif_funded_session_needs_an_approved_body(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    with pytest.raises(InvalidInput) as refused:
        _session(db, clock, engagement_id, SessionData(**{**ELUS.__dict__, "trainer_approved": False}))
    assert refused.value.message.fr == (
        "une formation financée par le DIF des élus doit être dispensée par un organisme agréé par le "
        "ministère de l'Intérieur"
    )


def test_attendance_is_taken_once_the_session_is_held_and_then_kept(db, clock, mini_model, launch_engagement):
    engagement_id = launch_engagement(mini_model)
    session_id = _session(db, clock, engagement_id, ELUS)
    with pytest.raises(Conflict):
        _session(db, clock, engagement_id, ELUS)
    with pytest.raises(InvalidInput) as early:
        _attendee(db, clock, engagement_id, session_id, "Hélène Marchand", present=True)
    assert early.value.code == "training.session_not_held"
    helene = _attendee(db, clock, engagement_id, session_id, "Hélène Marchand")
    with pytest.raises(Conflict):
        _attendee(db, clock, engagement_id, session_id, "Hélène Marchand")
    assert _update(db, clock, engagement_id, session_id, status=SessionStatus.TENUE) == "tenue"
    _mark(db, clock, engagement_id, session_id, helene, True)
    with pytest.raises(InvalidInput) as back:
        _update(db, clock, engagement_id, session_id, status=SessionStatus.ANNULEE)
    assert back.value.code == "training.attendance_taken"
    with pytest.raises(NotFound):
        _mark(db, clock, engagement_id, session_id, 999_999, True)


def test_the_review_gives_rates_per_session_and_audience(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    elus = _session(db, clock, engagement_id, ELUS)
    agents = _session(db, clock, engagement_id, AGENTS)
    later = _session(
        db,
        clock,
        engagement_id,
        SessionData(**{**AGENTS.__dict__, "title": "Suite", "held_on": date(2026, 9, 1)}),
    )
    people = {name: _attendee(db, clock, engagement_id, elus, name) for name in ("A", "B", "C", "D")}
    agent_ids = {name: _attendee(db, clock, engagement_id, agents, name) for name in ("E", "F")}
    _attendee(db, clock, engagement_id, later, "E")
    _update(db, clock, engagement_id, elus, status=SessionStatus.TENUE)
    _update(db, clock, engagement_id, agents, status=SessionStatus.TENUE)
    for name, present in (("A", True), ("B", True), ("C", False)):  # D: not recorded yet
        _mark(db, clock, engagement_id, elus, people[name], present)
    _mark(db, clock, engagement_id, agents, agent_ids["E"], True)
    _mark(db, clock, engagement_id, agents, agent_ids["F"], True)
    with db.reading() as session:
        review = training_review(session, engagement_id)
    assert [view.session.title for view in review.sessions] == [
        "Animer un atelier",
        "Le rôle de l'élu",
        "Suite",
    ]
    assert (review.held, review.planned, review.cancelled) == (2, 1, 0)
    assert review.by_audience[Audience.ELUS].rate == Decimal("66.7")  # 2 of the 3 recorded
    assert review.by_audience[Audience.AGENTS].rate == Decimal("100.0")
    assert review.overall.rate == Decimal("80.0")
    assert review.trainee_hours == Decimal("3.5") * 2 + 7 * 2
    assert review.sessions[2].attendance.rate is None
    with db.transaction() as session:
        delete_session(session, engagement_id=engagement_id, session_id=elus, actor=AGENT, clock=clock)
    with db.reading() as session:
        assert Audience.ELUS not in training_review(session, engagement_id).by_audience
