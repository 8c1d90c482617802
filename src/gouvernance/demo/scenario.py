"""The demonstration engagement: a realistic EPCI launching the shared-governance journey, with its
stakeholder register (``stakeholders_demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.demo.stakeholders_demo import seed_demo_stakeholders
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.service import LaunchRequest, Territory, launch
from gouvernance.spec.schema import ProcessModel

DEMO_MODEL = "gouvernance-partagee"
DEMO_START = date(2026, 1, 5)
DEMO_PARAMETERS = {"population": 23_400, "perimetre": "epci", "instances_participatives_existantes": True}


@dataclass
class DemoEngagement:
    engagement_id: str
    clock: FrozenClock


def launch_demo(
    db: Database, model: ProcessModel, territory: str, start: date = DEMO_START
) -> DemoEngagement:
    """Launches the demo engagement on ``start``: the walkthrough keeps a fixed date so that its output reads
    the same every time; ``serve --demo`` starts it today, so that no task is overdue on first run."""
    clock = FrozenClock(datetime(start.year, start.month, start.day, 8, 0, tzinfo=UTC))
    parameters = {k: v for k, v in DEMO_PARAMETERS.items() if k in model.parameters_by_key}
    with db.transaction() as session:
        result = launch(
            session,
            LaunchRequest(
                model, Territory(territory, "epci", "200071876"), start, parameters, lead="julien.robert"
            ),
            actor=ActorRef.of("claire.martin", "consultant"),
            clock=clock,
        )
        seed_demo_stakeholders(
            session, result.engagement_id, actor=ActorRef.of("julien.robert", "chef_de_projet"), clock=clock
        )
    return DemoEngagement(result.engagement_id, clock)
