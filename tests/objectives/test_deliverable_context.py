"""The plan d'action and the rapport d'évaluation are written from the objectives, their indicators and
measurements, the means and the actions: what a consultant entered is in the documents."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel

from gouvernance.deliverables.model import Figure
from gouvernance.deliverables.production import context_for
from gouvernance.deliverables.registry import build_document
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.objectives.deliverable_context import objectives_context
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.plan import allocate_means, plan_action
from gouvernance.objectives.service import Frequency, IndicatorData, add_indicator, add_objective
from gouvernance.spec.catalog import model_for

CHEF = ActorRef.of("julien", "chef_de_projet")


def _texts(value: object) -> list[str]:
    """Every string of a document (its model is pydantic: a dump holds every heading, cell and paragraph)."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts(item)]
    return []


def test_the_evaluation_report_and_the_action_plan_are_written_from_the_objectives(
    db, clock, shipped_catalog, launch_engagement
) -> None:
    engagement_id = launch_engagement(shipped_catalog.get("gouvernance-partagee"))
    today = clock.now().date()
    with db.transaction() as session:
        add_objective(
            session,
            engagement_id=engagement_id,
            key="associer",
            title="Associer les habitants",
            actor=CHEF,
            clock=clock,
        )
        add_indicator(
            session,
            engagement_id=engagement_id,
            objective_key="associer",
            data=IndicatorData(
                "participation", "Participation aux réunions publiques", "%", 10,
                today - timedelta(days=365), 40, today + timedelta(days=365), Direction.UP,
                Frequency.TRIMESTRIELLE, "Registre des réunions",
            ),
            actor=CHEF,
            clock=clock,
        )  # fmt: skip
        record_measurements(
            session,
            engagement_id=engagement_id,
            measurements=[MeasurementData("participation", today - timedelta(days=30), 22)],
            actor=CHEF,
            clock=clock,
        )
        allocate_means(
            session, engagement_id=engagement_id, objective_key="associer", label="Animation des réunions",
            budget_eur=Decimal(8000), staff_days=Decimal(12), actor=CHEF, clock=clock,
        )  # fmt: skip
        plan_action(
            session, engagement_id=engagement_id, objective_key="associer",
            title="Réunion publique de quartier", owner="Service démocratie locale",
            due_on=today - timedelta(days=3), actor=CHEF, clock=clock,
        )  # fmt: skip
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        model = model_for(session, engagement.model_key, engagement.model_version)
        report = context_for(
            session, engagement, model, "rapport_evaluation", today=clock.now().date()
        ) | objectives_context(session, engagement, "rapport_evaluation", today)
        plan = context_for(session, engagement, model, "plan_action", today=clock.now().date())

    report_document = build_document("rapport_evaluation", report, clock=clock)
    report_text = "\n".join(_texts(report_document))
    [results] = [section for section in report_document.sections if section.heading == "Résultats obtenus"]
    [chart] = [block for block in results.subsections[0].blocks if isinstance(block, Figure)]
    assert chart.caption == "Participation aux réunions publiques : à risque"
    assert "1 mesure." in chart.alt
    assert "22\u00a0%" in chart.svg  # the measurement, from the database, is on the chart
    assert "Associer les habitants" in report_text
    assert "Participation aux réunions publiques" in report_text
    assert "Réunion publique de quartier" in report_text
    assert "Service démocratie locale" in report_text
    assert "En retard" in report_text  # the action is open and past its due date
    # 10 % a year ago, 22 % a month ago: at that pace, about 36 % by the deadline, short of 40 %.
    assert (
        "Évaluation de l'objectif\u00a0: à risque (Participation aux réunions publiques\u00a0: "
        "au rythme actuel" in report_text
    )
    plan_text = "\n".join(_texts(build_document("plan_action", plan, clock=clock)))
    assert "Animation des réunions (Associer les habitants)" in plan_text
    assert "Temps de travail prévu\u00a0: 12 jours" in plan_text
