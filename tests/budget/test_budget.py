"""The participatory budget as a town hall runs it: proposals reviewed with their reasons, costs checked
against the per-project ceiling, votes counted by channel, and the results within the envelope, computed by
hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gouvernance.budget.service import (
    ProposalStatus,
    VoteChannel,
    close_vote,
    count_results,
    estimate_cost,
    move_proposal,
    proposals,
    record_votes,
    submit_proposal,
)
from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput, TransitionRefused
from gouvernance.spec.validation import load_model_file
from tests.engagements.helpers import fire

AGENT = ActorRef.of("karim", "agent")
CHEF = ActorRef.of("julien", "chef_de_projet")
S = ProposalStatus


def test_winners_are_taken_by_votes_while_they_fit_what_is_left_of_the_envelope() -> None:
    # Envelope 100 000 €: A (60 000 €, 900 votes) wins, B (50 000 €, 800) no longer fits (40 000 € left),
    # C (30 000 €, 500) and D (15 000 €, 500) tie on votes and D goes first as the cheaper: it fits
    # (25 000 € left after D, then C does not fit any more: 30 000 > 25 000).
    results = count_results(
        [
            (1, "A", Decimal(60_000), {"en_ligne": 600, "urne": 300}),
            (2, "B", Decimal(50_000), {"en_ligne": 800}),
            (3, "C", Decimal(30_000), {"urne": 500}),
            (4, "D", Decimal(15_000), {"en_ligne": 200, "urne": 300}),
        ],
        Decimal(100_000),
    )
    assert [(r.number, r.votes, r.won) for r in results] == [
        (1, 900, True),
        (2, 800, False),
        (4, 500, True),
        (3, 500, False),
    ]


@pytest.fixture(scope="module")
def model():
    return load_model_file(Path(__file__).parent / "models" / "vote.yaml")


def _in_vote(db, clock, engagement_id, title, cost) -> int:
    with db.transaction() as session:
        number = submit_proposal(
            session, engagement_id=engagement_id, title=title, actor=AGENT, clock=clock
        ).number
        estimate_cost(
            session, engagement_id=engagement_id, number=number, cost=Decimal(cost), actor=AGENT, clock=clock
        )
        for status in (S.RECEVABLE, S.FAISABLE, S.SOUMISE_AU_VOTE):
            move_proposal(
                session, engagement_id=engagement_id, number=number, to=status, actor=AGENT, clock=clock
            )
    return number


def test_a_proposal_goes_to_the_vote_only_within_the_ceiling_and_refusals_need_their_reason(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model, enveloppe_eur=100_000, plafond_projet_eur=40_000)
    with db.transaction() as session:
        row = submit_proposal(
            session, engagement_id=engagement_id, title="Skatepark", actor=AGENT, clock=clock
        )
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        move_proposal(
            session,
            engagement_id=engagement_id,
            number=row.number,
            to=S.IRRECEVABLE,
            actor=AGENT,
            clock=clock,
        )
    assert refused.value.message.code == "proposal.reason_required"
    with pytest.raises(InvalidInput) as skipped, db.transaction() as session:
        move_proposal(
            session,
            engagement_id=engagement_id,
            number=row.number,
            to=S.SOUMISE_AU_VOTE,
            actor=AGENT,
            clock=clock,
        )
    assert {r.code for r in skipped.value.reasons} == {"proposal.move_not_allowed", "proposal.cost_missing"}
    with db.transaction() as session:
        estimate_cost(
            session,
            engagement_id=engagement_id,
            number=row.number,
            cost=Decimal(45_000),
            actor=AGENT,
            clock=clock,
        )
        for status in (S.RECEVABLE, S.FAISABLE):
            move_proposal(
                session, engagement_id=engagement_id, number=row.number, to=status, actor=AGENT, clock=clock
            )
    with pytest.raises(InvalidInput) as too_dear, db.transaction() as session:
        move_proposal(
            session,
            engagement_id=engagement_id,
            number=row.number,
            to=S.SOUMISE_AU_VOTE,
            actor=AGENT,
            clock=clock,
        )
    assert too_dear.value.message.fr == (
        "coût estimé de 45\u202f000\u00a0€ au-delà du plafond par projet de 40\u202f000\u00a0€"
    )


def test_the_vote_is_counted_once_and_the_step_waits_for_it(db, clock, model, launch_engagement) -> None:
    engagement_id = launch_engagement(model, enveloppe_eur=100_000, plafond_projet_eur=70_000)
    jardin = _in_vote(db, clock, engagement_id, "Jardin partagé", 60_000)
    pistes = _in_vote(db, clock, engagement_id, "Pistes cyclables", 50_000)
    with db.transaction() as session:
        record_votes(
            session,
            engagement_id=engagement_id,
            number=jardin,
            channel=VoteChannel.URNE,
            votes=300,
            actor=AGENT,
            clock=clock,
        )
        record_votes(
            session,
            engagement_id=engagement_id,
            number=jardin,
            channel=VoteChannel.EN_LIGNE,
            votes=600,
            actor=AGENT,
            clock=clock,
        )
        record_votes(
            session,
            engagement_id=engagement_id,
            number=pistes,
            channel=VoteChannel.EN_LIGNE,
            votes=800,
            actor=AGENT,
            clock=clock,
        )
    fire(db, clock, engagement_id, "resultats", "start", CHEF)
    with pytest.raises(TransitionRefused) as waiting:
        fire(db, clock, engagement_id, "resultats", "submit", CHEF)
    assert [r.code for r in waiting.value.reasons] == ["guard.budget_vote_open"]

    with db.transaction() as session:
        results = close_vote(session, engagement_id=engagement_id, actor=CHEF, clock=clock)
    assert [(r.number, r.votes, r.won) for r in results] == [(jardin, 900, True), (pistes, 800, False)]
    with db.reading() as session:
        assert {p.number: p.status for p in proposals(session, engagement_id)} == {
            jardin: "laureate",
            pistes: "non_retenue",
        }
    with pytest.raises(Conflict), db.transaction() as session:
        close_vote(session, engagement_id=engagement_id, actor=CHEF, clock=clock)
    with pytest.raises(Conflict), db.transaction() as session:
        record_votes(
            session,
            engagement_id=engagement_id,
            number=pistes,
            channel=VoteChannel.URNE,
            votes=1,
            actor=AGENT,
            clock=clock,
        )
    assert fire(db, clock, engagement_id, "resultats", "submit", CHEF).to_state == "in_review"
