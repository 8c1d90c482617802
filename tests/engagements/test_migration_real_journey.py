"""The shared-governance journey as it ships: version 3 (kept for the engagements launched with it) and its
corrected version 4. An engagement under way on version 3 moves to version 4: the five new steps are added,
nothing it has done is lost, and it carries on."""

from __future__ import annotations

from datetime import date

from gouvernance.engagements.migration import migrate, plan_migration
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.spec.diff import diff_models
from tests.engagements.helpers import fire, step

NEW_STEPS = {
    "commission_services_publics_locaux",
    "conseils_citoyens",
    "transmission_publication_deliberation",
    "saisine_comite_social_territorial",
    "mesure_periodique_indicateurs",
}


def test_an_engagement_under_way_on_version_3_moves_to_version_4(db, clock, shipped_catalog, people) -> None:
    v3, v4 = shipped_catalog.get("gouvernance-partagee", 3), shipped_catalog.get("gouvernance-partagee", 4)
    assert {key for _, key in diff_models(v3, v4).steps_added} == NEW_STEPS
    with db.transaction() as session:
        engagement_id = launch(
            session,
            LaunchRequest(
                v3, Territory("Olivet", "commune", "45232"), date(2026, 3, 2), {"population": 21_000}
            ),
            actor=people.consultant,
            clock=clock,
        ).engagement_id
    fire(db, clock, engagement_id, "cadrage_accompagnement", "start", people.consultant)
    with db.reading() as session:
        plan = plan_migration(session, engagement_id, v4)
    assert plan.possible, [s.blocking.fr for s in plan.blocking if s.blocking]
    assert {s.step_key for s in plan.steps if s.action == "add"} == NEW_STEPS
    with db.transaction() as session:
        migrate(session, engagement_id, v4, actor=people.consultant, clock=clock)
    assert step(db, engagement_id, "cadrage_accompagnement").state == "in_progress"  # kept as it was
    assert {step(db, engagement_id, key).state for key in NEW_STEPS} == {"pending"}  # their stages wait
