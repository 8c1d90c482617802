"""Every shipped journey is walked from launch to its last step through the one door, each guard satisfied
the way the engagement's people would satisfy it: evidence attached, approvals given, stakeholders consulted,
objectives validated by the local actors, indicators measured, decisions recorded in the register (the
walker's default satisfiers, ``gouvernance.demo.satisfiers``).

The three journeys added from the field (co-construction, baromètre de satisfaction, laboratoire
d'innovation) are walked here; the shared-governance journey is walked by the demo's own tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from gouvernance.clock import FrozenClock
from gouvernance.demo.stakeholders_demo import demo_csv
from gouvernance.demo.walkthrough import JourneyWalker
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.stakeholders.importing import import_csv

NEW_JOURNEYS = ["co-construction", "barometre-satisfaction", "laboratoire-innovation"]


@pytest.mark.parametrize("key", NEW_JOURNEYS)
def test_the_journey_validates_and_is_walked_to_its_end_satisfying_its_guards(
    db, shipped_catalog, key
) -> None:
    assert not shipped_catalog.invalid
    model = shipped_catalog.get(key)
    clock = FrozenClock(datetime(2027, 1, 4, 8, tzinfo=UTC))
    with db.transaction() as session:
        engagement_id = launch(
            session,
            LaunchRequest(model, Territory("Val Fleuri", "epci", "200071876"), date(2027, 1, 4)),
            actor=ActorRef.of("claire", "consultant"),
            clock=clock,
        ).engagement_id
        # The demo's register (its consultations belong to the shared-governance journey's steps).
        import_csv(
            session,
            engagement_id=engagement_id,
            content=demo_csv(),
            actor=ActorRef.of("julien", "chef_de_projet"),
            clock=clock,
        )
    walker = JourneyWalker(db, model, engagement_id, clock, MemoryBlobStore())
    reports = walker.run()
    with db.reading() as session:
        states = dict(
            session.execute(
                select(StepRow.step_key, StepRow.state).where(StepRow.engagement_id == engagement_id)
            ).all()
        )
    assert set(states.values()) <= {"done", "skipped"}, states
    assert len(states) == len(model.steps_by_key)
    # The walk met the guards' refusals on the way (each stage's first) and then satisfied them.
    assert any(report.refusals for report in reports)
    produced = {title for report in reports for title in report.deliverables}
    assert produced == {
        model.deliverables_by_key[k].title.fr
        for s in model.steps_by_key.values()
        for k in s.deliverables.produces
    }


def test_completing_a_barometer_cycle_opens_the_next_one_whose_indicators_continue(
    db, shipped_catalog
) -> None:
    from gouvernance.engagements.records import EngagementRow
    from gouvernance.engagements.transitions import transition
    from gouvernance.history.records import EventRow
    from gouvernance.objectives.records import IndicatorRow, MeasurementRow

    model = shipped_catalog.get("barometre-satisfaction")
    clock = FrozenClock(datetime(2027, 1, 4, 8, tzinfo=UTC))
    with db.transaction() as session:
        first = launch(
            session,
            LaunchRequest(
                model, Territory("Val Fleuri", "epci", "200071876"), date(2027, 1, 4), organisation_id=None
            ),
            actor=ActorRef.of("claire", "consultant"),
            clock=clock,
        ).engagement_id
    JourneyWalker(db, model, first, clock, MemoryBlobStore()).run()
    with db.transaction() as session:
        transition(
            session,
            engagement_id=first,
            step_key=None,
            event="complete",
            actor=ActorRef.of("julien", "chef_de_projet"),
            clock=clock,
        )
    with db.reading() as session:
        [following] = session.scalars(
            select(EngagementRow).where(EngagementRow.previous_engagement_id == first)
        ).all()
        opened = session.scalars(
            select(EventRow).where(EventRow.engagement_id == first, EventRow.event == "next_cycle_opened")
        ).one()
        indicator = session.scalars(
            select(IndicatorRow).where(IndicatorRow.engagement_id == following.id)
        ).one()
        series = session.scalars(
            select(MeasurementRow.measured_on).where(MeasurementRow.indicator_id == indicator.id)
        ).all()
        earlier = session.scalars(
            select(MeasurementRow.measured_on)
            .join(IndicatorRow, IndicatorRow.id == MeasurementRow.indicator_id)
            .where(IndicatorRow.engagement_id == first)
        ).all()
        bilan = session.scalars(
            select(StepRow).where(
                StepRow.engagement_id == following.id, StepRow.step_key == "bilan_cycle_precedent"
            )
        ).one()
    assert following.parameters["numero_cycle"] == 2
    assert following.start_date > clock.now().date() - timedelta(days=1)
    assert opened.payload["engagement_id"] == following.id
    assert (indicator.key, indicator.baseline, indicator.target) == ("taux_satisfaction", 62, 80)
    assert earlier  # the first cycle measured its indicator…
    assert sorted(series) == sorted(earlier)  # … and the second cycle's series starts with those measurements
    assert bilan.state == "ready"
    # The second cycle cannot skip the review of the first (only cycle 1 may): its guard says why.
    walker = JourneyWalker(db, model, following.id, clock, MemoryBlobStore())
    assert not walker._allowed(model.steps_by_key["bilan_cycle_precedent"], "skip", "chef_de_projet")
