"""Objectives, indicators and measurements of an engagement, as the consultant and the local actors enter
them: approvals by role that a change asks for again, measurements entered or imported all or nothing, and the
evaluation read from them. Runs on SQLite, and on PostgreSQL with GOUVERNANCE_TEST_DATABASE_URL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gouvernance.engagements.actors import ActorRef
from gouvernance.errors import Conflict, InvalidInput, NotFound
from gouvernance.history.records import EventRow
from gouvernance.objectives.evaluation import Direction, Status
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.measurements_csv import MeasurementsRejected, import_measurements
from gouvernance.objectives.records import IndicatorRow, MeasurementRow
from gouvernance.objectives.service import (
    Frequency,
    IndicatorData,
    add_indicator,
    add_objective,
    approve_objective,
)
from gouvernance.objectives.views import objectives_view

CONSULTANT = ActorRef.of("claire", "consultant")
ELU = ActorRef.of("sophie", "elu")
PARTENAIRE = ActorRef.of("asso", "partenaire")

PARTICIPATION = IndicatorData(
    "participation", "Taux de participation", "%", 10, date(2027, 1, 1), 40, date(2028, 12, 31),
    Direction.UP, Frequency.TRIMESTRIELLE, "Registre des réunions publiques", public=True,
)  # fmt: skip


@pytest.fixture
def engagement(db, clock, mini_model, launch_engagement) -> str:
    engagement_id = launch_engagement(mini_model)
    with db.transaction() as session:
        add_objective(
            session,
            engagement_id=engagement_id,
            key="associer",
            title="Associer les habitants aux décisions",
            actor=CONSULTANT,
            clock=clock,
        )
        add_indicator(
            session,
            engagement_id=engagement_id,
            objective_key="associer",
            data=PARTICIPATION,
            actor=CONSULTANT,
            clock=clock,
        )
    return engagement_id


def _view(db, engagement_id, as_of=date(2028, 1, 2)):
    with db.reading() as session:
        [view] = objectives_view(session, engagement_id, as_of=as_of)
        return view


def test_a_new_indicator_asks_the_local_actors_to_approve_the_objective_again(db, clock, engagement) -> None:
    with db.transaction() as session:
        approve_objective(session, engagement_id=engagement, objective_key="associer", actor=ELU, clock=clock)
        approve_objective(session, engagement_id=engagement, objective_key="associer", actor=ELU, clock=clock)
        approve_objective(
            session, engagement_id=engagement, objective_key="associer", actor=PARTENAIRE, clock=clock
        )
    assert _view(db, engagement).approved_by == ["elu", "partenaire"]
    with db.transaction() as session:
        add_indicator(
            session,
            engagement_id=engagement,
            objective_key="associer",
            data=IndicatorData(
                "conseils",
                "Conseils de quartier réunis",
                "",
                0,
                date(2027, 1, 1),
                12,
                date(2028, 12, 31),
                Direction.UP,
                Frequency.ANNUELLE,
                "Secrétariat général",
            ),
            actor=CONSULTANT,
            clock=clock,
        )
    assert _view(db, engagement).approved_by == []
    with db.reading() as session:
        events = session.scalars(
            select(EventRow.event).where(EventRow.engagement_id == engagement).order_by(EventRow.id)
        ).all()
    assert events[-5:] == [
        "indicator_added",
        "objective_approved",
        "objective_approved",
        "objective_approved",
        "indicator_added",
    ]


def test_measurements_give_the_evaluation_its_status_and_reason(db, clock, engagement) -> None:
    assert _view(db, engagement).evaluation.status is Status.SANS_MESURE
    with db.transaction() as session:
        record_measurements(
            session,
            engagement_id=engagement,
            measurements=[MeasurementData("participation", date(2028, 1, 1), 25, "Registre")],
            actor=ELU,
            clock=clock,
        )
    view = _view(db, engagement)
    assert view.evaluation.status is Status.EN_BONNE_VOIE
    assert view.evaluation.reason.startswith("Taux de participation : au rythme actuel")


def test_a_key_already_taken_and_an_unknown_objective_are_clear_refusals(db, clock, engagement) -> None:
    with pytest.raises(Conflict) as taken, db.transaction() as session:
        add_objective(
            session, engagement_id=engagement, key="associer", title="Autre", actor=CONSULTANT, clock=clock
        )
    assert taken.value.message.code == "objective.exists"
    with pytest.raises(NotFound) as unknown, db.transaction() as session:
        approve_objective(
            session, engagement_id=engagement, objective_key="nulle-part", actor=ELU, clock=clock
        )
    assert unknown.value.message.code == "objective.not_found"


def test_bad_measurements_are_all_reported_and_none_is_recorded(db, clock, engagement) -> None:
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        record_measurements(
            session,
            engagement_id=engagement,
            measurements=[
                MeasurementData("participation", date(2027, 6, 1), 15),
                MeasurementData("inconnu", date(2027, 6, 1), 1),
                MeasurementData("participation", date(1900, 1, 1), float("nan")),
            ],
            actor=ELU,
            clock=clock,
        )
    codes = [(reason.path, reason.code) for reason in refused.value.reasons]
    assert ("measurements.1.indicator", "measurement.unknown_indicator") in codes
    assert ("measurements.2.value", "measurement.not_a_number") in codes
    assert any(path == "measurements.2.date" for path, _ in codes)
    assert _values(db, engagement) == []


def _values(db, engagement_id) -> list[float]:
    with db.reading() as session:
        return sorted(
            session.scalars(
                select(MeasurementRow.value)
                .join(IndicatorRow, IndicatorRow.id == MeasurementRow.indicator_id)
                .where(IndicatorRow.engagement_id == engagement_id)
            )
        )


CSV_WITH_BAD_LINES = (
    "Indicateur;Date;Valeur;Source;Commentaire\n"
    "participation;15/03/2027;12,5;Registre;Réunion publique de mars\n"
    "participaton;15/06/2027;14;Registre;\n"
    "participation;31/02/2027;13;Registre;\n"
    "participation;15/09/2027;beaucoup;Registre;\n"
    "participation;15/03/2027;12;Registre;en double\n"
)


def test_a_spreadsheet_with_bad_lines_is_refused_whole_with_every_bad_line_listed(
    db, clock, engagement
) -> None:
    with pytest.raises(MeasurementsRejected) as refused, db.transaction() as session:
        import_measurements(
            session,
            engagement_id=engagement,
            content=CSV_WITH_BAD_LINES.encode("cp1252"),
            actor=ELU,
            clock=clock,
        )
    assert [bad.line for bad in refused.value.lines] == [3, 4, 5, 6]
    assert refused.value.message.fr.startswith(
        "Import refusé, aucune mesure n'a été enregistrée : 4 lignes en erreur"
    )
    reasons = [reason.fr for reason in refused.value.reasons]
    assert any(r.startswith("Ligne 3 — indicateur inconnu : « participaton »") for r in reasons)
    assert any(r.startswith("Ligne 4 — date illisible : « 31/02/2027 »") for r in reasons)
    assert any(r.startswith("Ligne 5 — valeur illisible : « beaucoup »") for r in reasons)
    assert any(r == "Ligne 6 — même indicateur et même date qu'à la ligne 2" for r in reasons)
    assert _values(db, engagement) == []  # nothing was recorded, not even line 2


def test_a_good_spreadsheet_is_recorded_and_a_day_measured_again_is_replaced(db, clock, engagement) -> None:
    good = (
        '\ufeffindicateur,date,valeur\nparticipation,2027-03-15,"12,5 %"\nparticipation,15/12/2027,"1 000"\n'
    )
    with db.transaction() as session:
        assert (
            import_measurements(session, engagement_id=engagement, content=good, actor=ELU, clock=clock) == 2
        )
    with db.transaction() as session:
        import_measurements(
            session,
            engagement_id=engagement,
            content="Indicateur;Date;Valeur\nparticipation;15/12/2027;20\n",
            actor=ELU,
            clock=clock,
        )
    view = _view(db, engagement)
    latest = view.indicator_evaluations["participation"].latest
    assert latest is not None
    assert (latest.on, latest.value) == (date(2027, 12, 15), 20)
    assert _values(db, engagement) == [12.5, 20]
