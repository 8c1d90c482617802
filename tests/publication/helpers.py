"""A public record worth reading: the demo's stakeholder register, public and non-public decisions and
indicators, measurements — seeded through the services."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.demo.stakeholders_demo import demo_csv, seed_demo_stakeholders
from gouvernance.engagements.actors import ActorRef
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.service import Frequency, IndicatorData, add_indicator, add_objective
from gouvernance.publication.service import set_public

CHEF = ActorRef.of("julien.secret-login", "chef_de_projet")
PRIVATE_DECISION = "Indemnités confidentielles du cabinet"
PRIVATE_INDICATOR = "Taux d'absentéisme des agents"
FORMULA_TITLE = '=HYPERLINK("http://evil.example","Cliquez")'


def indicator(key: str, label: str, *, public: bool) -> IndicatorData:
    return IndicatorData(
        key=key,
        label=label,
        unit="%",
        baseline=10,
        baseline_on=date(2026, 1, 1),
        target=30,
        deadline=date(2028, 1, 1),
        direction=Direction.UP,
        frequency=Frequency.TRIMESTRIELLE,
        source="Enquête annuelle",
        public=public,
    )


def seed_record(
    session: Session, engagement_id: str, clock: Clock, *, stakeholders: bool = True, public: bool = True
) -> None:
    if stakeholders:
        seed_demo_stakeholders(session, engagement_id, actor=CHEF, clock=clock)
    for number, title, day, is_public in (
        ("2026-014", "Adoption de la charte de la participation citoyenne", date(2026, 2, 10), True),
        ("2026-015", FORMULA_TITLE, date(2026, 2, 20), True),
        ("2026-016", PRIVATE_DECISION, date(2026, 2, 25), False),
    ):
        record_decision(
            session,
            engagement_id=engagement_id,
            data=DecisionData(
                number=number,
                title=title,
                decided_on=day,
                body=DecidingBody.CONSEIL_MUNICIPAL,
                legal_basis="CGCT L2121-29",
                votes_for=23,
                votes_against=4,
                abstentions=2,
                public=is_public,
            ),
            actor=CHEF,
            clock=clock,
        )
    add_objective(
        session,
        engagement_id=engagement_id,
        key="participation",
        title="Plus de participation",
        actor=CHEF,
        clock=clock,
    )
    add_indicator(
        session,
        engagement_id=engagement_id,
        objective_key="participation",
        data=indicator("participants", "Part d'habitants ayant participé", public=True),
        actor=CHEF,
        clock=clock,
    )
    add_indicator(
        session,
        engagement_id=engagement_id,
        objective_key="participation",
        data=indicator("absenteisme", PRIVATE_INDICATOR, public=False),
        actor=CHEF,
        clock=clock,
    )
    record_measurements(
        session,
        engagement_id=engagement_id,
        measurements=[
            MeasurementData("participants", date(2026, 1, 15), 12, "Enquête", "appel de Marc Petit"),
            MeasurementData("participants", date(2026, 2, 15), 15, "Enquête"),
            MeasurementData("absenteisme", date(2026, 2, 15), 8, "RH"),
        ],
        actor=CHEF,
        clock=clock,
    )
    if public:
        set_public(session, engagement_id=engagement_id, public=True, actor=CHEF, clock=clock)


def demo_register() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(demo_csv().decode("utf-8-sig")), delimiter=";"))


def private_traces() -> list[str]:
    """Every name, e-mail and phone number of the demo's private persons, and the person part of each name
    (« Hélène Marchand » of « Hélène Marchand, présidente de la communauté de communes »)."""
    traces = []
    for row in demo_register():
        if row["Type"] == "personne":
            traces += [row["Nom"], row["Nom"].split(",")[0], row["Identifiant"]]
        traces += [value for value in (row["Courriel"], row["Téléphone"]) if value]
    return [t for t in traces if t]
