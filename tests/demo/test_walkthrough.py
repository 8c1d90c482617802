"""The demonstration journey, walked to the end with the engagement reloaded from the database after
every action: state columns agree with the event log, machines rebuild from stored rows, and the rework loop
and guards really happen."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import select

from gouvernance.clock import FrozenClock
from gouvernance.demo.stakeholders_demo import seed_demo_stakeholders
from gouvernance.demo.walkthrough import JourneyWalker
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.progress import engagement_progress
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.engagements.transitions import TransitionResult, transition
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.history.records import EventRow
from gouvernance.lifecycle.machines import MACHINE_BY_KIND, bind
from gouvernance.stakeholders.consultations import list_consultations
from gouvernance.stakeholders.reports import analyse


def _reload_and_check(db, engagement_id: str) -> dict[str, str]:
    """Everything a fresh process would see, checked against the event log."""
    with db.reading() as session:
        steps = {
            row.step_key: row
            for row in session.scalars(select(StepRow).where(StepRow.engagement_id == engagement_id))
        }
        events = session.scalars(
            select(EventRow)
            .where(EventRow.engagement_id == engagement_id, EventRow.step_id.is_not(None))
            .order_by(EventRow.id)
        ).all()
    last_state: dict[str, str] = {}
    changes: dict[str, int] = defaultdict(int)
    for event in events:
        if event.to_state is not None:
            last_state[event.step_key] = event.to_state
            changes[event.step_key] += 1
    for key, row in steps.items():
        assert row.state == last_state.get(key, "pending"), key
        assert row.version == 1 + changes[key], key
        machine = bind(MACHINE_BY_KIND[row.kind], row)  # rebuilds from the stored value
        assert machine.current_state_value == row.state
    return {key: row.state for key, row in steps.items()}


def test_the_demo_journey_survives_a_reload_after_every_action(db, shipped_catalog) -> None:
    model = shipped_catalog.get("gouvernance-partagee")
    clock = FrozenClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    with db.transaction() as session:
        engagement_id = launch(
            session,
            LaunchRequest(
                model,
                Territory("Val Fleuri", "epci", "200071876"),
                date(2026, 1, 5),
                {"instances_participatives_existantes": True},
            ),
            actor=ActorRef.of("claire", "consultant"),
            clock=clock,
        ).engagement_id
        seed_demo_stakeholders(
            session, engagement_id, actor=ActorRef.of("julien", "chef_de_projet"), clock=clock
        )
    snapshots: list[dict[str, str]] = []

    def after_each(result: TransitionResult) -> None:
        snapshots.append(_reload_and_check(db, engagement_id))

    walker = JourneyWalker(db, model, engagement_id, clock, MemoryBlobStore(), on_event=after_each)
    reports = walker.run()
    with db.transaction() as session:
        transition(
            session,
            engagement_id=engagement_id,
            step_key=None,
            event="complete",
            actor=ActorRef.of("claire", "consultant"),
            clock=clock,
            comment="Fin",
        )

    assert len(snapshots) == walker.actions > len(model.steps_by_key) * 3
    final = _reload_and_check(db, engagement_id)
    assert set(final.values()) <= {"done", "skipped"}
    assert "skipped" in final.values()  # a step the model and the launch parameters allow to skip
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        assert engagement.state == "completed"
        reworked = session.scalars(
            select(StepRow.step_key).where(StepRow.engagement_id == engagement_id, StepRow.round > 1)
        ).all()
        progress = engagement_progress(session, engagement_id, now=clock.now())
    assert set(reworked) >= set(model.steps_by_key["revue_juridique_plan"].sends_back)
    assert progress.percent == 100
    assert [r.key for r in reports] == [s.key for s in model.stages]
    assert all(r.refusals for r in reports)  # every stage showed at least one explained refusal
    assert any(r.reworks for r in reports)
    # The état des lieux stopped on the key players nobody had heard yet, named, until they were interviewed.
    [refusal] = reports[0].refusals
    assert "diagnostic_territorial" in refusal
    for name in (
        "Collectif « Sauvons le bocage »",
        "SAS Fleuri Aménagement",
        "Sous-préfecture de Fleuri",
        "Syndicat CGT des territoriaux du Val Fleuri",
    ):
        assert name in refusal
    assert "Nadia Benali" not in refusal  # already interviewed before the engagement began
    mediation = next(r for r in reports if r.key == "mediation_partenaires")
    assert "association 0 sur 5" in mediation.refusals[0]
    with db.reading() as session:
        coverage = {stage.stage_key: stage for stage in analyse(session, engagement_id).coverage}
        mediations = [
            c
            for c in list_consultations(session, engagement_id)
            if c.row.stage_key == "mediation_partenaires" and c.row.format == "atelier"
        ]
    assert coverage["etat_des_lieux"].complete
    assert len(mediations) >= 3  # one mediation meeting per conflict of the map
