"""`gouvernance budget …` as a project lead runs it: a proposal submitted, costed and moved on (a refusal
needs its reason), votes counted per channel, the vote closed within the envelope, and the results read by an
observer."""

from __future__ import annotations

from decimal import Decimal

from gouvernance.budget import service
from gouvernance.budget.service import ProposalStatus, VoteChannel
from gouvernance.deliverables.french import format_euros
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.progress import find_engagement_id

LEAD = ActorRef.of("claire", "chef_de_projet")


def test_proposals_votes_and_results(team, db, clock) -> None:
    engagement = team.launch("budget-participatif", "enveloppe_eur=50000", "plafond_projet_eur=30000")
    submitted = team.lead(
        "budget", "add", engagement, "--title", "Jardin partagé du Clos", "--district", "Centre-bourg",
    ).stdout  # fmt: skip
    assert "✓ Proposition n° 1 déposée." in submitted
    assert "27\u202f000,50\xa0€" in team.lead("budget", "cost", engagement, "1", "27 000,50").stdout
    refused = team.lead("budget", "move", engagement, "1", "irrecevable", ok=False)
    assert "dites pourquoi la proposition est irrecevable : le motif est publié" in refused.stderr
    assert "Proposition n° 1 : recevable." in team.lead("budget", "move", engagement, "1", "Recevable").stdout

    with db.transaction() as session:
        engagement_id = find_engagement_id(session, engagement)
        for title, cost in (("Boîte à livres", "25000"), ("Bancs du parc", "15000")):
            service.submit_proposal(
                session, engagement_id=engagement_id, title=title, estimated_cost=Decimal(cost),
                actor=LEAD, clock=clock,
            )  # fmt: skip
        to_vote = ("recevable", "faisable", "soumise_au_vote")
        for number, steps in ((1, to_vote[1:]), (2, to_vote), (3, to_vote)):
            for status in steps:
                service.move_proposal(
                    session, engagement_id=engagement_id, number=number, to=ProposalStatus(status),
                    actor=LEAD, clock=clock,
                )  # fmt: skip
        for number, votes in ((2, 150), (3, 100)):
            service.record_votes(
                session, engagement_id=engagement_id, number=number, channel=VoteChannel.URNE, votes=votes,
                actor=LEAD, clock=clock,
            )  # fmt: skip

    counted = team.lead("budget", "votes", engagement, "1", "--en-ligne", "120", "--urne", "80").stdout
    assert "Proposition n° 1 : 120 voix en ligne, 80 voix à l'urne." in counted
    listed = team.observer("budget", "list", engagement).stdout
    assert "Jardin partagé du Clos" in listed
    assert "soumise au vote" in listed
    assert "3 propositions." in listed

    closed = team.lead("budget", "close", engagement).stdout
    assert "✓ Vote clos." in closed
    # 200 votes for n° 1 (27 000,50 €), then n° 2 no longer fits what is left, n° 3 does.
    summary = (
        f"2 lauréates pour {format_euros(Decimal('42000.50'))} sur une enveloppe de {format_euros(50000)}."
    )
    assert summary in closed
    results = team.observer("budget", "results", engagement).stdout
    assert summary in results
    assert [
        line.split()[1] for line in results.splitlines() if "lauréate" in line and "pour" not in line
    ] == [
        "1",
        "3",
    ]
    again = team.lead("budget", "votes", engagement, "2", "--urne", "10", ok=False)
    assert "Erreur (budget.vote_closed) : le vote est clos" in again.stderr
