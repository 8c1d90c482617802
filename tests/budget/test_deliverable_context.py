"""What the participatory budget gives its deliverables: every proposal with its status, reason, cost and
votes per channel, the closed vote, and the calendar for the rules and the review; nothing for other
documents."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from gouvernance.budget.deliverable_context import KINDS, budget_context
from gouvernance.budget.service import (
    ProposalStatus,
    VoteChannel,
    close_vote,
    estimate_cost,
    move_proposal,
    record_votes,
    submit_proposal,
)
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.spec.catalog import Catalog, shipped_directory

AGENT = ActorRef.of("karim", "agent")
S = ProposalStatus


def test_the_budget_context_follows_the_edition(db, clock, launch_engagement) -> None:
    model = Catalog([shipped_directory()]).get("budget-participatif")
    engagement_id = launch_engagement(model, enveloppe_eur=50_000, plafond_projet_eur=30_000)
    with db.transaction() as session:
        for title, district in (("Skatepark", "Renaudie"), ("Médiateur", "Centre")):
            submit_proposal(
                session, engagement_id=engagement_id, title=title, district=district, actor=AGENT, clock=clock
            )
        estimate_cost(
            session, engagement_id=engagement_id, number=1, cost=Decimal(30_000), actor=AGENT, clock=clock
        )
        for status in (S.RECEVABLE, S.FAISABLE, S.SOUMISE_AU_VOTE):
            move_proposal(session, engagement_id=engagement_id, number=1, to=status, actor=AGENT, clock=clock)
        move_proposal(
            session,
            engagement_id=engagement_id,
            number=2,
            to=S.IRRECEVABLE,
            reason="dépense de fonctionnement",
            actor=AGENT,
            clock=clock,
        )
        record_votes(
            session,
            engagement_id=engagement_id,
            number=1,
            channel=VoteChannel.URNE,
            votes=120,
            actor=AGENT,
            clock=clock,
        )
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert budget_context(session, engagement, "plan_action", clock.now().date()) == {}
        before = budget_context(session, engagement, "resultats_vote", clock.now().date())["budget"]
        rules = budget_context(session, engagement, "reglement_budget_participatif", clock.now().date())[
            "budget"
        ]
    assert before["as_of"] == "2026-03-02"
    assert before["vote"] is None
    assert "calendar" not in before
    skatepark, mediateur = before["proposals"]
    assert skatepark["votes"] == {"urne": 120}
    assert skatepark["estimated_cost"] == "30000.00"
    assert skatepark["status_label"] == "soumise au vote"
    assert (mediateur["status"], mediateur["reason"], mediateur["district"]) == (
        "irrecevable",
        "dépense de fonctionnement",
        "Centre",
    )
    calendar = {step["step"]: step for step in rules["calendar"]}
    assert len(calendar) == len(model.steps_by_key)
    opened, waiting = calendar["Bilan de l'édition précédente"], calendar["Rédaction du règlement"]
    assert not opened["forecast"]  # ready at launch: the engine set its due date
    # Not open yet: forecast three weeks (its duration) after the step it waits for.
    assert waiting["forecast"]
    gap = datetime.fromisoformat(waiting["due"]) - datetime.fromisoformat(opened["due"])
    assert gap == timedelta(weeks=3)
    # The vote comes after the analysis stage, whose last step ends after every earlier one.
    assert (
        calendar["Vote des habitants"]["due"] > calendar["Publication des motifs de non-recevabilité"]["due"]
    )

    with db.transaction() as session:
        close_vote(session, engagement_id=engagement_id, actor=AGENT, clock=clock)
    with db.reading() as session:
        after = budget_context(
            session,
            session.get(EngagementRow, engagement_id),
            "bilan_budget_participatif",
            clock.now().date(),
        )
    assert after["budget"]["vote"]["results"][0]["won"] is True
    assert after["budget"]["vote"]["envelope"] == "50000.00"
    assert after["budget"]["proposals"][0]["status"] == "laureate"
    assert "calendar" not in after["budget"]
    assert set(KINDS) == {d.key for d in model.deliverables}
