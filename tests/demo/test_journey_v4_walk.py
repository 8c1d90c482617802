"""The demo walks version 4 of the shared-governance journey to the end, satisfying its new guards the way
the engagement's people would, without entering anything twice: one deliberation in the register (the
content's, transmitted and published), the COPIL's validations, the indicators validated by an élu and a
partner and measured during the animation; the demo EPCI of 23 400 inhabitants without a quartier prioritaire
skips the mandatory-bodies steps."""

from __future__ import annotations

from sqlalchemy import select

from gouvernance.decisions.records import DecisionRow
from gouvernance.demo.scenario import launch_demo
from gouvernance.demo.walkthrough import JourneyWalker
from gouvernance.engagements.progress import engagement_progress
from gouvernance.engagements.records import StepRow
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.objectives.records import ObjectiveApprovalRow, ObjectiveRow


def test_the_demo_satisfies_the_new_guards_once(db, shipped_catalog) -> None:
    model = shipped_catalog.get("gouvernance-partagee")
    demo = launch_demo(db, model, "Val Fleuri")
    reports = JourneyWalker(db, model, demo.engagement_id, demo.clock, MemoryBlobStore()).run()
    with db.reading() as session:
        states = dict(
            session.execute(
                select(StepRow.step_key, StepRow.state).where(StepRow.engagement_id == demo.engagement_id)
            ).all()
        )
        register = session.execute(
            select(
                DecisionRow.body, DecisionRow.step_key, DecisionRow.transmitted_on, DecisionRow.published_on
            )
            .where(DecisionRow.engagement_id == demo.engagement_id)
            .order_by(DecisionRow.id)
        ).all()
        approvals = set(
            session.scalars(
                select(ObjectiveApprovalRow.role)
                .join(ObjectiveRow, ObjectiveRow.id == ObjectiveApprovalRow.objective_id)
                .where(ObjectiveRow.engagement_id == demo.engagement_id)
            )
        )
        progress = engagement_progress(session, demo.engagement_id, now=demo.clock.now())
    assert set(states.values()) <= {"done", "skipped"}
    assert progress.percent == 100
    assert {key for key, state in states.items() if state == "skipped"} >= {
        "instances_obligatoires",
        "commission_services_publics_locaux",
        "conseils_citoyens",
    }
    for key in (
        "saisine_comite_social_territorial",
        "transmission_publication_deliberation",
        "mesure_periodique_indicateurs",
    ):
        assert states[key] == "done", key
    councils = [row for row in register if row.body == "conseil_communautaire"]
    assert len(councils) == 1
    assert councils[0].step_key == "deliberation_lancement"
    assert councils[0].transmitted_on is not None
    assert councils[0].published_on is not None
    copil = [row.step_key for row in register if row.body == "copil"]
    assert sorted(copil) == ["decision_suites", "restitution_etat_des_lieux", "seminaire_elus"]
    assert {"elu", "partenaire"} <= approvals
    refusals = [refusal for report in reports for refusal in report.refusals]
    assert refusals
