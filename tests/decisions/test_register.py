"""The decision register as a secrétariat général keeps it: every problem of a decision reported at once, one
number per decision, a public part, and the guard that waits for the council's deliberation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gouvernance.decisions.service import DecidingBody, DecisionData, decision, decisions, record_decision
from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput, NotFound, TransitionRefused
from gouvernance.history.records import EventRow
from gouvernance.spec.validation import load_model_file
from tests.engagements.helpers import fire

CHEF = ActorRef.of("julien", "chef_de_projet")
DELIBERATION = DecisionData(
    number="2027-014",
    title="Adoption de la charte de la participation citoyenne",
    decided_on=date(2027, 3, 14),
    body=DecidingBody.CONSEIL_MUNICIPAL,
    legal_basis="CGCT L2121-29",
    votes_for=23,
    votes_against=4,
    abstentions=2,
    transmitted_on=date(2027, 3, 16),
    published_on=date(2027, 3, 18),
    step_key="vote",
)


@pytest.fixture(scope="module")
def model():
    return load_model_file(Path(__file__).parent / "models" / "deliberation.yaml")


def _record(db, clock, engagement_id, data):
    with db.transaction() as session:
        return record_decision(session, engagement_id=engagement_id, data=data, actor=CHEF, clock=clock)


def test_every_problem_of_a_decision_is_reported_at_once(db, clock, model, launch_engagement) -> None:
    engagement_id = launch_engagement(model)
    bad = DecisionData(
        number="2027-015",
        title="Titre\u0007",
        decided_on=date(2027, 3, 14),
        body=DecidingBody.BUREAU,
        votes_for=-1,
        transmitted_on=date(2027, 3, 1),
        step_key="inexistante",
        consultation_ids=(999_999,),
    )
    with pytest.raises(InvalidInput) as refused:
        _record(db, clock, engagement_id, bad)
    assert {(reason.path, reason.code) for reason in refused.value.reasons} == {
        ("title", "text.control_character"),
        ("transmitted_on", "decision.date_before_decision"),
        ("votes_for", "decision.bad_vote_count"),
        ("consultation_ids", "decision.unknown_consultations"),
        ("step_key", "decision.unknown_step"),
    }
    with db.reading() as session:
        assert decisions(session, engagement_id) == []


def test_a_number_is_used_once_and_the_public_part_leaves_out_the_rest(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model)
    _record(db, clock, engagement_id, DELIBERATION)
    with pytest.raises(Conflict) as taken:
        _record(db, clock, engagement_id, DELIBERATION)
    assert taken.value.message.fr == "le numéro « 2027-014 » est déjà au registre"
    internal = DecisionData(
        number="COPIL-3",
        title="Calendrier",
        decided_on=date(2027, 2, 1),
        body=DecidingBody.COPIL,
        public=False,
    )
    _record(db, clock, engagement_id, internal)
    with db.reading() as session:
        assert [d.number for d in decisions(session, engagement_id)] == ["COPIL-3", "2027-014"]
        assert [d.number for d in decisions(session, engagement_id, public_only=True)] == ["2027-014"]
        logged = session.query(EventRow.event).filter(EventRow.engagement_id == engagement_id).all()
    assert [event for (event,) in logged].count("decision_recorded") == 2


def test_the_vote_waits_for_the_councils_deliberation_with_its_legal_basis(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model)
    for event in ("start", "submit"):
        fire(db, clock, engagement_id, "projet", event, CHEF)
    fire(db, clock, engagement_id, "vote", "start", CHEF)

    def refusal() -> list[str]:
        with pytest.raises(TransitionRefused) as refused:
            fire(db, clock, engagement_id, "vote", "submit", CHEF)
        return [reason.fr for reason in refused.value.reasons]

    expected_bodies = "conseil municipal ou conseil communautaire"
    assert refusal() == [f"aucune décision ({expected_bodies}) n'est au registre pour cette étape"]
    # The bureau is not the body this step waits for.
    _record(
        db,
        clock,
        engagement_id,
        DecisionData("B-1", "Avis", date(2027, 3, 1), DecidingBody.BUREAU, step_key="vote"),
    )
    assert refusal() == [f"aucune décision ({expected_bodies}) n'est au registre pour cette étape"]
    _record(
        db,
        clock,
        engagement_id,
        DecisionData(
            "2027-013", "Sans base", date(2027, 3, 2), DecidingBody.CONSEIL_MUNICIPAL, step_key="vote"
        ),
    )
    assert refusal() == [
        f"la décision ({expected_bodies}) est au registre sans sa base légale (article du CGCT)"
    ]
    _record(db, clock, engagement_id, DELIBERATION)
    assert fire(db, clock, engagement_id, "vote", "submit", CHEF).to_state == "in_review"


def test_a_decision_is_found_by_its_number_in_its_own_engagement_only(
    db, clock, model, launch_engagement
) -> None:
    engagement_id, other = launch_engagement(model), launch_engagement(model)
    _record(db, clock, engagement_id, DELIBERATION)
    with db.reading() as session:
        assert decision(session, engagement_id, " 2027-014 ").title == DELIBERATION.title
        with pytest.raises(NotFound) as missing:
            decision(session, other, "2027-014")
    assert missing.value.message.fr == "aucune décision n° « 2027-014 » au registre"
