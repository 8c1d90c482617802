"""The objectives' guards refuse with their reasons, naming what is missing, and then let the step through."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import TransitionRefused
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.service import (
    Frequency,
    IndicatorData,
    add_indicator,
    add_objective,
    approve_objective,
)
from gouvernance.spec.validation import load_model_file
from tests.engagements.helpers import fire

CONSULTANT = ActorRef.of("claire", "consultant")
ELU = ActorRef.of("sophie", "elu")
PARTENAIRE = ActorRef.of("asso", "partenaire")


@pytest.fixture(scope="module")
def model():
    return load_model_file(Path(__file__).parent / "models" / "objectifs.yaml")


def _refusal(db, clock, engagement_id, step_key) -> list[str]:
    with pytest.raises(TransitionRefused) as refused:
        fire(db, clock, engagement_id, step_key, "submit", CONSULTANT)
    return [reason.fr for reason in refused.value.reasons]


def _indicator(key: str, frequency: Frequency) -> IndicatorData:
    return IndicatorData(
        key,
        f"Indicateur {key}",
        "%",
        10,
        date(2026, 1, 1),
        40,
        date(2028, 12, 31),
        Direction.UP,
        frequency,
        "Mairie",
    )


def test_objectives_validated_names_whose_validation_each_objective_awaits(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model)
    fire(db, clock, engagement_id, "objectifs", "start", CONSULTANT)
    assert _refusal(db, clock, engagement_id, "objectifs") == ["aucun objectif n'est encore défini"]

    with db.transaction() as session:
        add_objective(
            session,
            engagement_id=engagement_id,
            key="associer",
            title="Associer",
            actor=CONSULTANT,
            clock=clock,
        )
        approve_objective(
            session, engagement_id=engagement_id, objective_key="associer", actor=ELU, clock=clock
        )
    assert _refusal(db, clock, engagement_id, "objectifs") == [
        "objectifs non validés par les acteurs locaux : « Associer » attend la validation de : Partenaire"
    ]
    with db.transaction() as session:
        approve_objective(
            session, engagement_id=engagement_id, objective_key="associer", actor=PARTENAIRE, clock=clock
        )
        # An indicator added after the validation asks for it again.
        add_indicator(
            session,
            engagement_id=engagement_id,
            objective_key="associer",
            data=_indicator("participation", Frequency.TRIMESTRIELLE),
            actor=CONSULTANT,
            clock=clock,
        )
    assert _refusal(db, clock, engagement_id, "objectifs") == [
        "objectifs non validés par les acteurs locaux : "
        "« Associer » attend la validation de : Élu, Partenaire"
    ]
    with db.transaction() as session:
        for actor in (ELU, PARTENAIRE):
            approve_objective(
                session, engagement_id=engagement_id, objective_key="associer", actor=actor, clock=clock
            )
    assert fire(db, clock, engagement_id, "objectifs", "submit", CONSULTANT).to_state == "in_review"


def test_indicators_measured_names_the_indicators_without_a_recent_measurement(
    db, clock, model, launch_engagement
) -> None:
    engagement_id = launch_engagement(model)
    fire(db, clock, engagement_id, "evaluation", "start", CONSULTANT)
    assert _refusal(db, clock, engagement_id, "evaluation") == ["aucun indicateur n'est encore défini"]
    today = clock.now().date()
    with db.transaction() as session:
        add_objective(session, engagement_id=engagement_id, key="o", title="O", actor=CONSULTANT, clock=clock)
        for key, frequency in (("mensuel", Frequency.MENSUELLE), ("annuel", Frequency.ANNUELLE)):
            add_indicator(
                session,
                engagement_id=engagement_id,
                objective_key="o",
                data=_indicator(key, frequency),
                actor=CONSULTANT,
                clock=clock,
            )
        record_measurements(
            session,
            engagement_id=engagement_id,
            measurements=[
                MeasurementData("mensuel", today - timedelta(days=40), 12),  # older than a month
                MeasurementData("annuel", today - timedelta(days=200), 15),  # within its year
            ],
            actor=ELU,
            clock=clock,
        )
    last = (today - timedelta(days=40)).strftime("%d/%m/%Y")
    assert _refusal(db, clock, engagement_id, "evaluation") == [
        f"indicateurs sans mesure récente : « Indicateur mensuel » (dernière mesure le {last})"
    ]
    with db.transaction() as session:
        record_measurements(
            session,
            engagement_id=engagement_id,
            measurements=[MeasurementData("mensuel", today - timedelta(days=3), 14)],
            actor=ELU,
            clock=clock,
        )
    assert fire(db, clock, engagement_id, "evaluation", "submit", CONSULTANT).to_state == "in_review"
