"""How the people of an engagement satisfy the guards over its content, for the walker: the local actors
validate the objectives, an agent measures the indicators, the register receives the decision of the body
asked for (with its legal basis, its transmission and its publication when the guard wants them), and a
training financed by the élus' DIF without an approved trainer is financed otherwise.

Each satisfier first looks whether its guard already passes: what the demo's content entered (its objectives,
its COPIL opinion, its deliberation) is never entered a second time."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gouvernance.decisions.guards import DecisionRecorded
from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import DecidingBody, DecisionData, record_decision
from gouvernance.engagements.rules import evaluate_guards
from gouvernance.engagements.subject import load_subject
from gouvernance.guards.registry import Guard
from gouvernance.objectives.evaluation import Direction
from gouvernance.objectives.guards import IndicatorsMeasured, ObjectivesValidated
from gouvernance.objectives.measurements import MeasurementData, record_measurements
from gouvernance.objectives.records import MeasurementRow, ObjectiveRow
from gouvernance.objectives.service import (
    Frequency,
    IndicatorData,
    add_indicator,
    add_objective,
    approve_objective,
    indicators_by_key,
)
from gouvernance.spec.schema import StepSpec
from gouvernance.training.guards import TrainingTrainersApproved
from gouvernance.training.service import sessions, update_session

if TYPE_CHECKING:
    from gouvernance.demo.walkthrough import JourneyWalker, Satisfier

LEGAL_BASIS = {
    DecidingBody.CONSEIL_MUNICIPAL: "CGCT, art. L. 2121-29",
    DecidingBody.CONSEIL_COMMUNAUTAIRE: "CGCT, art. L. 5211-1",
}


def passes(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> bool:
    """Whether the step's guards of this rule pass already for the guard's first event."""
    with walker.db.reading() as session:
        subject = load_subject(session, walker.engagement_id, spec.key)
        outcomes = evaluate_guards(session, subject, guard.on[0], walker.actor(spec.role), walker.clock, {})
    return all(outcome.passed for outcome in outcomes if outcome.rule == guard.rule)


def validate_objectives(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    """Each listed role approves every objective still awaiting it; where there is none yet, the consultant
    first proposes one with its indicator."""
    assert isinstance(guard, ObjectivesValidated)
    if passes(walker, spec, guard):
        return
    with walker.db.transaction() as session:
        if not session.scalar(
            select(func.count())
            .select_from(ObjectiveRow)
            .where(ObjectiveRow.engagement_id == walker.engagement_id)
        ):
            _propose_objective(walker, session)
        keys = session.scalars(
            select(ObjectiveRow.key).where(ObjectiveRow.engagement_id == walker.engagement_id)
        ).all()
        for key in keys:
            for role in guard.roles:
                approve_objective(
                    session,
                    engagement_id=walker.engagement_id,
                    objective_key=key,
                    actor=walker.actor(role),
                    clock=walker.clock,
                )


def _propose_objective(walker: JourneyWalker, session: Session) -> None:
    today = walker.clock.now().date()
    add_objective(
        session,
        engagement_id=walker.engagement_id,
        key="satisfaction",
        title="Améliorer la satisfaction des usagers",
        actor=walker.actor("consultant"),
        clock=walker.clock,
    )
    add_indicator(
        session,
        engagement_id=walker.engagement_id,
        objective_key="satisfaction",
        data=IndicatorData(
            "taux_satisfaction",
            "Usagers satisfaits",
            "%",
            62,
            today,
            80,
            date(today.year + 2, today.month, 1),
            Direction.UP,
            Frequency.TRIMESTRIELLE,
            "Questionnaire du baromètre",
            public=True,
        ),
        actor=walker.actor("consultant"),
        clock=walker.clock,
    )


def measure_indicators(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    """An agent measures every indicator today; the value read is the latest known (or the baseline)."""
    assert isinstance(guard, IndicatorsMeasured)
    if passes(walker, spec, guard):
        return
    today = walker.clock.now().date()
    with walker.db.transaction() as session:
        readings = []
        for key, indicator in indicators_by_key(session, walker.engagement_id).items():
            latest = session.scalars(
                select(MeasurementRow.value)
                .where(MeasurementRow.indicator_id == indicator.id)
                .order_by(MeasurementRow.measured_on.desc())
                .limit(1)
            ).first()
            value = indicator.baseline if latest is None else latest
            readings.append(MeasurementData(key, today, value, source=indicator.source))
        if readings:
            record_measurements(
                session,
                engagement_id=walker.engagement_id,
                measurements=readings,
                actor=walker.actor("agent"),
                clock=walker.clock,
            )


def record_step_decision(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    """The decision of the guard's first body is entered in the register: a council's deliberation with its
    votes and legal basis, a COPIL's relevé de décisions; transmitted and published the same day if asked."""
    assert isinstance(guard, DecisionRecorded)
    if passes(walker, spec, guard):
        return
    body = DecidingBody(guard.bodies[0]) if guard.bodies else DecidingBody.CONSEIL_MUNICIPAL
    today = walker.clock.now().date()
    council = body in LEGAL_BASIS
    with walker.db.transaction() as session:
        count = session.scalar(
            select(func.count())
            .select_from(DecisionRow)
            .where(DecisionRow.engagement_id == walker.engagement_id)
        )
        prefix = "DEL" if council else f"RD-{body.value.upper()}"
        record_decision(
            session,
            engagement_id=walker.engagement_id,
            data=DecisionData(
                number=f"{prefix}-{today.year}-{(count or 0) + 1:03d}",
                title=spec.title.fr if council else f"Validation par le {body.label} : {spec.title.fr}",
                decided_on=today,
                body=body,
                legal_basis=LEGAL_BASIS.get(body, "CGCT, art. L. 2121-29") if guard.legal_basis else "",
                votes_for=21 if council else None,
                votes_against=2 if council else None,
                abstentions=1 if council else None,
                transmitted_on=today if guard.transmitted else None,
                published_on=today if guard.published else None,
                step_key=guard.step or spec.key,
            ),
            actor=walker.actor("chef_de_projet"),
            clock=walker.clock,
        )


def finance_training_otherwise(walker: JourneyWalker, spec: StepSpec, guard: Guard) -> None:
    """A DIF-financed session whose trainer is not approved goes onto the collectivité's training budget."""
    assert isinstance(guard, TrainingTrainersApproved)
    if passes(walker, spec, guard):
        return
    with walker.db.transaction() as session:
        for row in sessions(session, walker.engagement_id):
            if row.dif_funded and not row.trainer_approved:
                update_session(
                    session,
                    engagement_id=walker.engagement_id,
                    session_id=row.id,
                    changes={"dif_funded": False},
                    actor=walker.actor("chef_de_projet"),
                    clock=walker.clock,
                )


SATISFIERS: dict[type[Guard], Satisfier] = {
    ObjectivesValidated: validate_objectives,
    IndicatorsMeasured: measure_indicators,
    DecisionRecorded: record_step_decision,
    TrainingTrainersApproved: finance_training_otherwise,
}
